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
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
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
    /** Vert.x numbers its timers from 0. */
    private static final long NO_GUARD = -1;

    private final Vertx vertx;
    private final Producer<String, byte[]> producer;
    /** {@link KafkaProducer#send} may block (topic metadata, full buffer): never on an event loop. */
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "kafka-send");
        t.setDaemon(true);
        return t;
    });
    private final long giveUpAfterMillis;
    private final Timer ackTimer;
    private final Counter failures;

    @Inject
    public InboundPublisher(Vertx vertx, @Identifier("default-kafka-broker") Map<String, Object> kafka, SmtpConfig config,
            MeterRegistry registry) {
        // Kafka fails a record on its own after max.block + delivery.timeout; the guard only covers a stuck send
        this(vertx, new KafkaProducer<>(producerSettings(kafka, config)), config.kafka().maxBlock()
                .plus(config.kafka().deliveryTimeout()).plus(Duration.ofSeconds(2)), registry);
    }

    /** With the producer given, so that a test can stand in for the broker. */
    InboundPublisher(Vertx vertx, Producer<String, byte[]> producer, Duration giveUpAfter, MeterRegistry registry) {
        this.vertx = vertx;
        this.producer = producer;
        this.giveUpAfterMillis = giveUpAfter.toMillis();
        this.ackTimer = Timer.builder("gateway.smtp.kafka.ack")
                .description("time from the end of DATA until Kafka acknowledged the message")
                .publishPercentileHistogram()
                .register(registry);
        this.failures = Counter.builder("gateway.smtp.kafka.failures")
                .description("messages Kafka did not acknowledge in time; the client got 451")
                .register(registry);
    }

    private static Map<String, Object> producerSettings(Map<String, Object> kafka, SmtpConfig config) {
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
        return props;
    }

    /**
     * Sends one message. Must be called on a Vert.x context; the future completes on that context when the
     * broker acknowledged the record (acks=all), or fails when it did not within the configured bound.
     *
     * <p>Never throws: the SMTP session has paused its socket to wait for this future, so whatever goes wrong here (the
     * sender stopped at shutdown, an envelope that cannot be written) must reach it as a failure, which the client sees
     * as {@code 451}.
     */
    public Future<Void> publish(Envelope envelope, byte[] message) {
        Context context = vertx.getOrCreateContext();
        Promise<Void> promise = Promise.promise();
        AtomicBoolean settled = new AtomicBoolean();
        long started = System.nanoTime();
        ProducerRecord<String, byte[]> record;
        try {
            record = new ProducerRecord<>(Topics.MAIL_INBOUND, envelope.clientIp(), message);
            record.headers().add(RecordHeaders.ENVELOPE, ContractJson.write(envelope));
        } catch (RuntimeException e) {
            context.runOnContext(v -> settle(settled, NO_GUARD, promise, e, started));
            return promise.future();
        }
        long guard = vertx.setTimer(giveUpAfterMillis, id -> {
            if (settled.compareAndSet(false, true)) {
                failures.increment();
                promise.fail(new TimeoutException("Kafka did not acknowledge within " + giveUpAfterMillis + " ms"));
            }
        });
        try {
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
        } catch (RejectedExecutionException e) { // the service is stopping: close() has shut the sender down
            context.runOnContext(v -> settle(settled, guard, promise, e, started));
        }
        return promise.future(); // completed later on the caller's context, also when it failed at once
    }

    private void settle(AtomicBoolean settled, long guard, Promise<Void> promise, Exception error, long started) {
        if (!settled.compareAndSet(false, true)) {
            return;
        }
        if (guard != NO_GUARD) {
            vertx.cancelTimer(guard);
        }
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
