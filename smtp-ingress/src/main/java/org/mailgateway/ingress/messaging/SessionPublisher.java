package org.mailgateway.ingress.messaging;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
import org.mailgateway.ingress.config.SmtpConfig;

/**
 * Publishes one {@link SessionSummary} per SMTP session to {@code smtp.sessions}, keyed by client IP.
 *
 * <p>Session events are evidence, not mail: they must never slow down or block an SMTP reply. So they have
 * a producer of their own (the mail producer's acknowledgements are never queued behind them), are handed
 * over through a bounded queue, and are dropped and counted when Kafka cannot keep up or is down.
 *
 * <p>Sessions refused at connect because their IP is blocked are collapsed per IP: the first is published at once,
 * the ones that follow within {@code gateway.smtp.blocklist.summary-period} go out together as one summary whose
 * {@code sessions} says how many it stands for. A flood of refused connections costs Kafka, policy-service and
 * admin-api one record per blocked IP and period, not one per connection.
 */
@ApplicationScoped
public class SessionPublisher {

    private static final Logger LOG = Logger.getLogger(SessionPublisher.class);
    private static final int QUEUE_BOUND = 20_000;
    /** Blocked IPs whose refused sessions are collapsed at once; beyond that each is published as it comes. */
    private static final int MAX_HELD_IPS = 100_000;

    private final KafkaProducer<String, byte[]> producer;
    private final ThreadPoolExecutor sender;
    private final Counter published;
    private final Counter dropped;
    private final ScheduledExecutorService ticker;
    /** Refused-at-connect sessions counted per blocked IP until the period ends; a Held changes only inside compute. */
    private final ConcurrentHashMap<String, Held> blockedByIp = new ConcurrentHashMap<>();

    /** The first summary of a period not yet published, how many it stands for, and when the last one ended. */
    private static final class Held {
        SessionSummary first;
        int count;
        Instant lastEnded;
    }

    public SessionPublisher(@Identifier("default-kafka-broker") Map<String, Object> kafka, MeterRegistry registry,
            SmtpConfig config) {
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
        long period = config.blocklist().summaryPeriod().toMillis();
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "blocked-session-summaries");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleAtFixedRate(this::publishHeld, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Never blocks: hands the summary to the sending thread or drops it when that thread is too far behind. A
     * blocked IP's refused session is only counted, on the caller's thread, unless it is the first of its period:
     * a flood must not wake the sending thread once per connection.
     */
    public void publish(SessionSummary session) {
        if (session.end() != SessionSummary.End.BLOCKED
                || blockedByIp.size() >= MAX_HELD_IPS && !blockedByIp.containsKey(session.clientIp())) {
            hand(() -> send(session));
            return;
        }
        boolean[] first = {false};
        blockedByIp.compute(session.clientIp(), (ip, held) -> {
            if (held == null) {
                first[0] = true;
                return new Held();
            }
            if (held.first == null) {
                held.first = session;
            }
            held.count++;
            held.lastEnded = session.endedAt();
            return held;
        });
        if (first[0]) {
            hand(() -> send(session));
        }
    }

    private void hand(Runnable work) {
        try {
            sender.execute(work);
        } catch (RejectedExecutionException e) {
            dropped.increment();
        }
    }

    /** Once per period: what was counted goes out; an IP that stayed away is forgotten. */
    private void publishHeld() {
        List<SessionSummary> collapsed = new ArrayList<>();
        for (String ip : blockedByIp.keySet()) {
            blockedByIp.compute(ip, (key, held) -> {
                if (held == null || held.first == null) {
                    return null;
                }
                collapsed.add(held.first.collapsed(held.count, held.lastEnded));
                held.first = null;
                held.count = 0;
                return held;
            });
        }
        if (!collapsed.isEmpty()) {
            hand(() -> collapsed.forEach(this::send));
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
        ticker.shutdown();
        ticker.awaitTermination(5, TimeUnit.SECONDS);
        publishHeld();
        sender.shutdown();
        sender.awaitTermination(5, TimeUnit.SECONDS);
        producer.close(Duration.ofSeconds(5));
    }
}
