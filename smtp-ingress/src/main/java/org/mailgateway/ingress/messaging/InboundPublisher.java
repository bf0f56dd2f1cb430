package org.mailgateway.ingress.messaging;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import io.smallrye.common.annotation.Identifier;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;
import org.mailgateway.contracts.ContractJson;
import org.mailgateway.contracts.Envelope;
import org.mailgateway.contracts.RecordHeaders;
import org.mailgateway.contracts.Topics;
import org.mailgateway.ingress.config.SmtpConfig;

/**
 * Hands accepted messages to Kafka ({@code mail.inbound}, keyed by client IP) and reports the broker's
 * acknowledgement back on the connection's event loop. The SMTP {@code 250} after DATA waits for this.
 *
 * <p>Why a plain {@link KafkaProducer} and not a reactive-messaging emitter: the reply to the client must
 * map one to one to the broker's answer for that record, and the failure bound must be Kafka's own
 * {@code delivery.timeout.ms}, so that a message the client was told to retry is not written later anyway.
 * See docs/decisions/0002-ingress-kafka-producer.md.
 *
 * <p>Created at startup, so that a producer setting Kafka refuses (a negative batch size, an unknown compression)
 * stops the service with Kafka's message instead of failing the first client's DATA.
 */
@Startup
@ApplicationScoped
public class InboundPublisher {

    private static final Logger LOG = Logger.getLogger(InboundPublisher.class);

    private final Vertx vertx;
    private final KafkaProducer<String, byte[]> producer;
    /** {@link KafkaProducer#send} may block (topic metadata, full buffer): never on an event loop. */
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "kafka-send");
        t.setDaemon(true);
        return t;
    });
    private final long giveUpAfterMillis;
    private final Timer ackTimer;
    private final Counter failures;

    public InboundPublisher(Vertx vertx, @Identifier("default-kafka-broker") Map<String, Object> kafka, SmtpConfig config,
            MeterRegistry registry) {
        this.vertx = vertx;
        SmtpConfig.KafkaSettings settings = config.kafka();
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, settings.compression());
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, settings.batchSize());
        props.put(ProducerConfig.LINGER_MS_CONFIG, (int) settings.linger().toMillis());
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) settings.deliveryTimeout().toMillis());
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) settings.requestTimeout().toMillis());
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, settings.maxBlock().toMillis());
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, (int) Math.min(Integer.MAX_VALUE, config.maxMessageSize() + 1024 * 1024));
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 64L * 1024 * 1024);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "smtp-ingress");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        this.producer = new KafkaProducer<>(props);
        // Kafka fails a record on its own after max.block + delivery.timeout; this guard only covers a stuck send
        this.giveUpAfterMillis = settings.maxBlock().plus(settings.deliveryTimeout()).plus(Duration.ofSeconds(2)).toMillis();
        this.ackTimer = Timer.builder("gateway.smtp.kafka.ack")
                .description("time from the end of DATA until Kafka acknowledged the message")
                .publishPercentileHistogram()
                .register(registry);
        this.failures = Counter.builder("gateway.smtp.kafka.failures")
                .description("messages Kafka did not acknowledge in time; the client got 451")
                .register(registry);
    }

    /**
     * Sends one message. Must be called on a Vert.x context; the future completes on that context when the
     * broker acknowledged the record (acks=all), or fails when it did not within the configured bound.
     */
    public Future<Void> publish(Envelope envelope, byte[] message) {
        Context context = vertx.getOrCreateContext();
        Promise<Void> promise = Promise.promise();
        AtomicBoolean settled = new AtomicBoolean();
        long started = System.nanoTime();
        long guard = vertx.setTimer(giveUpAfterMillis, id -> {
            if (settled.compareAndSet(false, true)) {
                failures.increment();
                promise.fail(new TimeoutException("Kafka did not acknowledge within " + giveUpAfterMillis + " ms"));
            }
        });
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.MAIL_INBOUND, envelope.clientIp(), message);
        record.headers().add(RecordHeaders.ENVELOPE, ContractJson.write(envelope));
        sender.execute(() -> {
            if (settled.get()) {
                return; // the client already got 451: never write this record late
            }
            try {
                producer.send(record, (metadata, error) -> context.runOnContext(v -> settle(settled, guard, promise, error, started)));
            } catch (RuntimeException e) {
                context.runOnContext(v -> settle(settled, guard, promise, e, started));
            }
        });
        return promise.future();
    }

    private void settle(AtomicBoolean settled, long guard, Promise<Void> promise, Exception error, long started) {
        if (!settled.compareAndSet(false, true)) {
            return;
        }
        vertx.cancelTimer(guard);
        if (error == null) {
            ackTimer.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
            promise.complete();
        } else {
            failures.increment();
            LOG.warnf("Kafka did not take a message: %s", error.toString());
            promise.fail(error);
        }
    }

    /** On shutdown, records in flight still get their chance to be acknowledged. */
    @PreDestroy
    void close() {
        sender.shutdown();
        producer.close(Duration.ofSeconds(10));
    }
}
