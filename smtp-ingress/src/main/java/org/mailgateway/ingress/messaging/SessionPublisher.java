package org.mailgateway.ingress.messaging;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;
import org.mailgateway.contracts.ContractJson;
import org.mailgateway.contracts.SessionSummary;
import org.mailgateway.contracts.Topics;

/**
 * Publishes one {@link SessionSummary} per SMTP session to {@code smtp.sessions}, keyed by client IP.
 *
 * <p>Session events are evidence, not mail: they must never slow down or block an SMTP reply. So they have
 * a producer of their own (the mail producer's acknowledgements are never queued behind them), are handed
 * over through a bounded queue, and are dropped and counted when Kafka cannot keep up or is down.
 */
@ApplicationScoped
public class SessionPublisher {

    private static final Logger LOG = Logger.getLogger(SessionPublisher.class);
    private static final int QUEUE_BOUND = 20_000;

    private final KafkaProducer<String, byte[]> producer;
    private final ThreadPoolExecutor sender;
    private final Counter published;
    private final Counter dropped;

    public SessionPublisher(@Identifier("default-kafka-broker") Map<String, Object> kafka, MeterRegistry registry) {
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(ProducerConfig.ACKS_CONFIG, "1");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 16L * 1024 * 1024);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "smtp-ingress-sessions");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        this.producer = new KafkaProducer<>(props);
        this.sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE_BOUND), r -> {
            Thread t = new Thread(r, "kafka-send-sessions");
            t.setDaemon(true);
            return t;
        });
        this.published = Counter.builder("gateway.smtp.session.events").tag("result", "published").register(registry);
        this.dropped = Counter.builder("gateway.smtp.session.events").tag("result", "dropped")
                .description("session summaries not published because Kafka was down or too slow").register(registry);
    }

    /** Never blocks: hands the summary to the sending thread or drops it when that thread is too far behind. */
    public void publish(SessionSummary session) {
        try {
            sender.execute(() -> send(session));
        } catch (RejectedExecutionException e) {
            dropped.increment();
        }
    }

    private void send(SessionSummary session) {
        try {
            producer.send(new ProducerRecord<>(Topics.SMTP_SESSIONS, session.clientIp(), ContractJson.write(session)),
                    (metadata, error) -> {
                        if (error == null) {
                            published.increment();
                        } else {
                            dropped.increment();
                            LOG.debugf("session summary not published: %s", error.toString());
                        }
                    });
        } catch (RuntimeException e) {
            dropped.increment();
            LOG.debugf("session summary not published: %s", e.toString());
        }
    }

    @PreDestroy
    void close() throws InterruptedException {
        sender.shutdown();
        sender.awaitTermination(5, TimeUnit.SECONDS);
        producer.close(Duration.ofSeconds(5));
    }
}
