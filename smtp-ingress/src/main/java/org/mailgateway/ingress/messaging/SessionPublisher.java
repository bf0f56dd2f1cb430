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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * <p>The sending thread takes them from that queue in batches, {@value #HAND_OVER_MILLIS} ms after the first one of a
 * batch arrived, not one by one: the event loops wake that thread once per batch, at most some fifty times a second,
 * rather than up to once per session (each wake-up is a thread switch; 0.29 per session before, 0.09 after, measured in
 * docs/benchmarks.md). The producer lingers 20 ms for its batch anyway.
 *
 * <p>Sessions refused at connect because their IP is blocked are collapsed per IP: the first goes with the next batch,
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
    /** How long a session summary may wait for others before the sending thread takes them all. */
    static final long HAND_OVER_MILLIS = 20;

    private final KafkaProducer<String, byte[]> producer;
    /** Summaries waiting for the sending thread; full means that thread is too far behind, and the newest is dropped. */
    private final ArrayBlockingQueue<SessionSummary> pending = new ArrayBlockingQueue<>(QUEUE_BOUND);
    /** Whether a batch is already due: only the summary that finds none schedules one (and wakes the thread). */
    private final AtomicBoolean batchDue = new AtomicBoolean();
    private final Counter published;
    private final Counter dropped;
    /** The one sending thread: batches of summaries as they come, and the collapsed refused sessions each period. */
    private final ScheduledExecutorService sender;
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
        this.published = Counter.builder("gateway.smtp.session.events").tag("result", "published").register(registry);
        this.dropped = Counter.builder("gateway.smtp.session.events").tag("result", "dropped")
                .description("session summaries not published because Kafka was down or too slow").register(registry);
        long period = config.blocklist().summaryPeriod().toMillis();
        this.sender = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kafka-send-sessions");
            t.setDaemon(true);
            return t;
        });
        sender.scheduleAtFixedRate(this::publishHeld, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Never blocks: hands the summary to the sending thread or drops it when that thread is too far behind. A
     * blocked IP's refused session is only counted, on the caller's thread, unless it is the first of its period:
     * a flood must not wake the sending thread once per connection.
     */
    public void publish(SessionSummary session) {
        if (session.end() != SessionSummary.End.BLOCKED
                || blockedByIp.size() >= MAX_HELD_IPS && !blockedByIp.containsKey(session.clientIp())) {
            hand(session);
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
            hand(session);
        }
    }

    private void hand(SessionSummary session) {
        if (!pending.offer(session)) {
            dropped.increment();
            return;
        }
        if (batchDue.compareAndSet(false, true)) {
            try {
                sender.schedule(this::sendPending, HAND_OVER_MILLIS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                batchDue.set(false); // shutting down: close() sends what is pending
            }
        }
    }

    /** On the sending thread: everything handed over until now. One that comes during this schedules the next batch. */
    private void sendPending() {
        batchDue.set(false);
        SessionSummary session;
        while ((session = pending.poll()) != null) {
            send(session);
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
        collapsed.forEach(this::send);
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
        publishHeld();
        sendPending();
        producer.close(Duration.ofSeconds(5));
    }
}
