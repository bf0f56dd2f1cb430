package org.mailgateway.localstack.testing;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads a topic from its beginning, as a new consumer group would, until a record matches. */
public final class TopicReader {

    private TopicReader() {
    }

    public static ConsumerRecord<String, byte[]> awaitRecord(String bootstrapServers, String topic,
            Predicate<ConsumerRecord<String, byte[]>> wanted, Duration timeout) {
        Map<String, Object> props = fromTheBeginning(bootstrapServers);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (wanted.test(record)) {
                        return record;
                    }
                }
            }
        }
        throw new AssertionError("no such record on " + topic + " within " + timeout);
    }

    /**
     * Reads the topic from the beginning until {@code expected} records match, and returns them; fails when
     * fewer arrive within {@code timeout}, or more than expected are found (a duplicate is an error too).
     */
    public static List<ConsumerRecord<String, byte[]>> awaitCount(String bootstrapServers, String topic,
            Predicate<ConsumerRecord<String, byte[]>> wanted, int expected, Duration timeout) {
        Map<String, Object> props = fromTheBeginning(bootstrapServers);
        List<ConsumerRecord<String, byte[]>> found = new java.util.ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            int emptyPollsAfterEnough = 0;
            while (System.nanoTime() < deadline && emptyPollsAfterEnough < 2) {
                int before = found.size();
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (wanted.test(record)) {
                        found.add(record);
                    }
                }
                if (found.size() >= expected && found.size() == before) {
                    emptyPollsAfterEnough++; // read on a little, so that a duplicate would be seen
                }
            }
        }
        if (found.size() != expected) {
            throw new AssertionError("expected " + expected + " matching records on " + topic + ", found " + found.size());
        }
        return found;
    }

    /** A consumer of its own group that starts at the oldest record. */
    private static Map<String, Object> fromTheBeginning(String bootstrapServers) {
        return Map.of(
                "bootstrap.servers", bootstrapServers,
                "group.id", "test-" + UUID.randomUUID(),
                "auto.offset.reset", "earliest",
                "key.deserializer", StringDeserializer.class.getName(),
                "value.deserializer", ByteArrayDeserializer.class.getName());
    }

    /** A header's value, or null. */
    public static byte[] header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : header.value();
    }
}
