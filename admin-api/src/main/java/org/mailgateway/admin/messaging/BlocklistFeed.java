package org.mailgateway.admin.messaging;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;
import org.mailgateway.admin.service.BlocklistView;
import org.mailgateway.admin.store.BlockHistoryStore;
import org.mailgateway.contracts.BlockEntry;
import org.mailgateway.contracts.Cidr;
import org.mailgateway.contracts.ContractJson;
import org.mailgateway.contracts.MalformedRecordException;
import org.mailgateway.contracts.Topics;

/**
 * Reads the compacted {@code policy.blocklist} topic from its beginning on a thread of its own, without a
 * consumer group (every admin-api instance needs every entry), into the {@link BlocklistView} and the
 * {@code block_history} table. A failure (Kafka or PostgreSQL) starts the reading over after 2 s; storing the
 * history is idempotent, so reading again does no harm. Readiness does not wait for it.
 */
@ApplicationScoped
public class BlocklistFeed {

    private static final Logger LOG = Logger.getLogger(BlocklistFeed.class);
    private static final Duration DB_TIMEOUT = Duration.ofSeconds(30);

    private final Map<String, Object> kafka;
    private final BlocklistView view;
    private final BlockHistoryStore history;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean running;
    private Thread thread;

    public BlocklistFeed(@Identifier("default-kafka-broker") Map<String, Object> kafka, BlocklistView view,
            BlockHistoryStore history) {
        this.kafka = kafka;
        this.view = view;
        this.history = history;
    }

    void start(@Observes StartupEvent event) {
        running = true;
        thread = new Thread(this::run, "admin-blocklist-reader");
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
                readForever(c);
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warnf("reading %s failed, starting over in 2 s: %s", Topics.POLICY_BLOCKLIST, e.toString());
                try {
                    TimeUnit.SECONDS.sleep(2);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    private void readForever(KafkaConsumer<String, byte[]> c) {
        List<TopicPartition> partitions = partitions(c);
        c.assign(partitions);
        c.seekToBeginning(partitions);
        while (running) {
            List<BlockHistoryStore.Change> changes = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> record : c.poll(Duration.ofMillis(500))) {
                BlockHistoryStore.Change change = change(record);
                if (change != null) {
                    view.apply(Cidr.parse(change.cidr()), change.entry(), change.partition(), change.offset());
                    changes.add(change);
                }
            }
            if (!changes.isEmpty()) {
                history.record(changes).await().atMost(DB_TIMEOUT);
            }
        }
    }

    private List<TopicPartition> partitions(KafkaConsumer<String, byte[]> c) {
        while (running) {
            List<PartitionInfo> infos = c.partitionsFor(Topics.POLICY_BLOCKLIST, Duration.ofSeconds(30));
            if (infos != null && !infos.isEmpty()) {
                return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            }
            LOG.warnf("topic %s does not exist yet", Topics.POLICY_BLOCKLIST);
            c.poll(Duration.ofSeconds(2)); // nothing assigned: just waits
        }
        throw new WakeupException();
    }

    /** The record as a change, or null (logged) when its key or value cannot be read. */
    static BlockHistoryStore.Change change(ConsumerRecord<String, byte[]> record) {
        Cidr cidr;
        try {
            cidr = Cidr.parse(record.key());
        } catch (IllegalArgumentException e) {
            LOG.warnf("ignoring a %s record with key '%s': %s", Topics.POLICY_BLOCKLIST, record.key(), e.getMessage());
            return null;
        }
        BlockEntry entry = null;
        if (record.value() != null) {
            try {
                entry = ContractJson.read(record.value(), BlockEntry.class);
            } catch (MalformedRecordException e) {
                LOG.warnf("ignoring a %s record for %s: %s", Topics.POLICY_BLOCKLIST, cidr, e.getMessage());
                return null;
            }
        }
        return new BlockHistoryStore.Change(record.partition(), record.offset(), cidr.toString(),
                Instant.ofEpochMilli(record.timestamp()), entry);
    }

    private Map<String, Object> consumerProperties() {
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "admin-api-blocklist-" + UUID.randomUUID());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return props;
    }
}
