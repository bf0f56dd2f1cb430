package org.mailgateway.admin.messaging;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;
import org.mailgateway.admin.config.AdminConfig;
import org.mailgateway.admin.store.SessionActivityStore;
import org.mailgateway.contracts.ContractJson;
import org.mailgateway.contracts.MalformedRecordException;
import org.mailgateway.contracts.SessionSummary;
import org.mailgateway.contracts.Topics;

/**
 * Reads {@code smtp.sessions} in the consumer group {@code gateway.admin.sessions.group-id} on a thread of its
 * own and adds each polled batch to the per-client counters in one transaction, together with the next offset
 * of every partition in the batch. Kafka's committed offsets follow only after that transaction; on assignment
 * the consumer starts from the offsets stored in PostgreSQL, so a session is counted exactly once even after a
 * crash between the two. A failure starts the consumer over after 2 s. Readiness does not wait for it.
 */
@ApplicationScoped
public class SessionFeed {

    private static final Logger LOG = Logger.getLogger(SessionFeed.class);
    private static final Duration DB_TIMEOUT = Duration.ofSeconds(60);

    private final Map<String, Object> kafka;
    private final SessionActivityStore store;
    private final AdminConfig.Sessions config;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean running;
    private Thread thread;

    public SessionFeed(@Identifier("default-kafka-broker") Map<String, Object> kafka, SessionActivityStore store,
            AdminConfig config) {
        this.kafka = kafka;
        this.store = store;
        this.config = config.admin().sessions();
    }

    void start(@Observes StartupEvent event) {
        if (!config.enabled()) {
            return;
        }
        running = true;
        thread = new Thread(this::run, "admin-sessions-reader");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (thread != null) {
            thread.join(5000);
        }
    }

    private void run() {
        while (running) {
            try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(consumerProperties())) {
                consumer = c;
                c.subscribe(List.of(Topics.SMTP_SESSIONS), new StartFromStoredOffsets(c));
                while (running) {
                    storeBatch(c, c.poll(Duration.ofMillis(500)));
                }
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warnf("reading %s failed, starting over in 2 s: %s", Topics.SMTP_SESSIONS, e.toString());
                try {
                    TimeUnit.SECONDS.sleep(2);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    private void storeBatch(KafkaConsumer<String, byte[]> c, ConsumerRecords<String, byte[]> records) {
        if (records.isEmpty()) {
            return;
        }
        SessionBatch batch = new SessionBatch();
        Map<Integer, Long> first = new HashMap<>();
        Map<Integer, Long> next = new HashMap<>();
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            try {
                if (!batch.add(ContractJson.read(record.value(), SessionSummary.class))) {
                    LOG.warnf("session record at %s-%d has no IP address literal; skipped", record.topic(), record.offset());
                }
            } catch (MalformedRecordException e) {
                LOG.warnf("unreadable session record at %s-%d skipped: %s", record.topic(), record.offset(), e.getMessage());
            }
            first.putIfAbsent(record.partition(), record.offset());
            next.put(record.partition(), record.offset() + 1);
            commit.put(new TopicPartition(record.topic(), record.partition()), new OffsetAndMetadata(record.offset() + 1));
        }
        store.add(batch.hours(), batch.helos(), first, next).await().atMost(DB_TIMEOUT); // AlreadyCounted: start over
        c.commitSync(commit); // only after the rows are stored; the stored offsets win anyway at the next assignment
        LOG.debugf("stored %d sessions as %d hour rows", batch.sessions(), batch.hours().size());
    }

    /** Seeks each newly assigned partition to the offset stored with the counters, when there is one. */
    private final class StartFromStoredOffsets implements ConsumerRebalanceListener {

        private final KafkaConsumer<String, byte[]> c;

        StartFromStoredOffsets(KafkaConsumer<String, byte[]> c) {
            this.c = c;
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            Map<Integer, Long> stored = store.offsets().await().atMost(DB_TIMEOUT);
            for (TopicPartition p : partitions) {
                Long offset = stored.get(p.partition());
                if (offset != null) {
                    c.seek(p, offset);
                }
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        }
    }

    private Map<String, Object> consumerProperties() {
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "admin-api-sessions");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.maxBatch());
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 15000);
        // the views may be a fraction of a second behind: under a flood, one fetch (and one transaction) per
        // 64 KiB of summaries rather than one per summary
        props.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 65536);
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 250);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return props;
    }
}
