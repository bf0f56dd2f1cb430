package org.mailgateway.admin.messaging;

import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.mailgateway.admin.config.AdminConfig;
import org.mailgateway.contracts.BlockEntry;
import org.mailgateway.contracts.ContractJson;
import org.mailgateway.contracts.Topics;

/**
 * Writes block and allow entries (and their tombstones) to {@code policy.blocklist}, keyed by canonical CIDR,
 * with {@code acks=all} and an idempotent producer. The returned {@link Uni} completes when Kafka acknowledged
 * the record and fails when it did not within {@code gateway.admin.kafka-send-timeout}.
 */
@ApplicationScoped
public class BlocklistPublisher {

    private final KafkaProducer<String, byte[]> producer;
    private final Duration timeout;

    public BlocklistPublisher(@Identifier("default-kafka-broker") Map<String, Object> kafka, AdminConfig config) {
        this.timeout = config.admin().kafkaSendTimeout();
        Map<String, Object> props = new HashMap<>(kafka);
        props.keySet().removeIf(key -> key.startsWith("group.") || key.startsWith("auto.") || key.startsWith("enable.auto"));
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "admin-api-blocklist");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        int millis = (int) timeout.toMillis();
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, millis);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, millis);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        this.producer = new KafkaProducer<>(props);
    }

    /** Publishes {@code entry} under its CIDR. */
    public Uni<RecordMetadata> publish(BlockEntry entry) {
        return send(entry.cidr(), ContractJson.write(entry));
    }

    /** Publishes the tombstone that removes the entry of {@code cidr} (canonical form). */
    public Uni<RecordMetadata> remove(String cidr) {
        return send(cidr, null);
    }

    private Uni<RecordMetadata> send(String key, byte[] value) {
        // send() may block up to max.block.ms waiting for metadata: never on an event loop
        return Uni.createFrom().<RecordMetadata>emitter(emitter -> producer.send(
                        new ProducerRecord<>(Topics.POLICY_BLOCKLIST, key, value),
                        (metadata, error) -> {
                            if (error != null) {
                                emitter.fail(error);
                            } else {
                                emitter.complete(metadata);
                            }
                        }))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .emitOn(Infrastructure.getDefaultWorkerPool()) // not on the producer's network thread
                .ifNoItem().after(timeout.multipliedBy(2).plusSeconds(1)).fail();
    }

    void close(@Observes ShutdownEvent event) {
        producer.close(Duration.ofSeconds(2));
    }
}
