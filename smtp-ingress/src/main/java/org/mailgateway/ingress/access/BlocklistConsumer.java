package org.mailgateway.ingress.access;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
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
import org.mailgateway.contracts.BlockEntry;
import org.mailgateway.contracts.Cidr;
import org.mailgateway.contracts.ContractJson;
import org.mailgateway.contracts.MalformedRecordException;
import org.mailgateway.contracts.Topics;
import org.mailgateway.ingress.config.SmtpConfig;

/**
 * Reads the compacted {@code policy.blocklist} topic from the beginning, on a thread of its own, into the
 * {@link AccessList} every new connection consults. No consumer group: every ingress instance reads every
 * partition. {@link #caughtUp()} turns true once everything that was on the topic at start has been read,
 * and readiness waits for it, so a restarted pod never lets a blocked client in during its first second.
 */
@ApplicationScoped
public class BlocklistConsumer {

    private static final Logger LOG = Logger.getLogger(BlocklistConsumer.class);

    private final AccessList accessList = new AccessList();
    private final Map<String, Object> kafka;
    private final boolean enabled;
    private final Timer propagation;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean caughtUp;
    private volatile boolean running;
    private Thread thread;

    public BlocklistConsumer(@Identifier("default-kafka-broker") Map<String, Object> kafka, SmtpConfig config,
            MeterRegistry registry) {
        this.kafka = kafka;
        this.enabled = config.blocklist().enabled();
        this.propagation = Timer.builder("gateway.smtp.blocklist.propagation")
                .description("time from a block entry's creation until this ingress applies it")
                .publishPercentileHistogram()
                .register(registry);
        registry.gauge("gateway.smtp.blocklist.entries", accessList, AccessList::size);
    }

    void start(@Observes StartupEvent event) {
        if (!enabled) {
            caughtUp = true;
            return;
        }
        running = true;
        thread = new Thread(this::run, "blocklist-reader");
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

    public AccessList accessList() {
        return accessList;
    }

    public boolean caughtUp() {
        return caughtUp;
    }

    private void run() {
        while (running) {
            try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(consumerProperties())) {
                consumer = c;
                readForever(c);
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warnf("reading %s failed, retrying in 2 s: %s", Topics.POLICY_BLOCKLIST, e.toString());
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
        Map<TopicPartition, Long> startEnd = c.endOffsets(partitions, Duration.ofSeconds(30));
        while (running) {
            for (ConsumerRecord<String, byte[]> record : c.poll(Duration.ofMillis(500))) {
                apply(record);
            }
            if (!caughtUp && startEnd.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue())) {
                caughtUp = true;
                LOG.infof("block list loaded: %d entries", accessList.size());
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

    private void apply(ConsumerRecord<String, byte[]> record) {
        Cidr cidr;
        try {
            cidr = Cidr.parse(record.key());
        } catch (IllegalArgumentException e) {
            LOG.warnf("ignoring a %s record with key '%s': %s", Topics.POLICY_BLOCKLIST, record.key(), e.getMessage());
            return;
        }
        if (record.value() == null) {
            accessList.apply(cidr, null);
            LOG.infof("access entry removed: %s", cidr);
            return;
        }
        BlockEntry entry;
        try {
            entry = ContractJson.read(record.value(), BlockEntry.class);
        } catch (MalformedRecordException e) {
            LOG.warnf("ignoring a %s record for %s: %s", Topics.POLICY_BLOCKLIST, cidr, e.getMessage());
            return;
        }
        accessList.apply(cidr, entry);
        Instant now = Instant.now();
        if (caughtUp && entry.activeAt(now)) {
            propagation.record(Duration.between(entry.createdAt(), now).toNanos(), TimeUnit.NANOSECONDS);
            LOG.infof("access entry applied: %s %s until %s (%s, %d ms after it was made): %s", entry.kind(), cidr,
                    entry.expiresAt() == null ? "further notice" : entry.expiresAt(), entry.source(),
                    Duration.between(entry.createdAt(), now).toMillis(), entry.reason());
        }
    }

    private Map<String, Object> consumerProperties() {
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "smtp-ingress-blocklist-" + UUID.randomUUID());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return props;
    }
}
