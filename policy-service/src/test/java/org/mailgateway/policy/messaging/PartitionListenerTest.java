package org.mailgateway.policy.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mailgateway.contracts.SessionSummary;
import org.mailgateway.contracts.Topics;
import org.mailgateway.policy.behaviour.BehaviourStore;

class PartitionListenerTest {

    private static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");

    /**
     * Each of the IPs 192.0.2.0, .1, .2 lives on the partition of its last digit. A rebalance revokes some partitions
     * and assigns some (or loses some); the IPs whose relay count survives are listed.
     */
    @ParameterizedTest(name = "revoked {0}, assigned {1}, lost {2}")
    @CsvSource(delimiter = '|', value = {
        "0 1 2 | 0 1 2 |     | 0 1 2",
        "0 1 2 | 1     |     | 1",
        "0 1 2 |       |     | ",
        "      | 0 1 2 |     | 0 1 2",
        "      |       | 2   | 0 1",
        "1     | 1 3   |     | 0 1 2",
    })
    void onlyPartitionsThatLeaveThisInstanceTakeTheirWindowsWithThem(String revoked, String assigned, String lost, String kept) {
        BehaviourStore store = new BehaviourStore(Duration.ofMinutes(10), 100, 64);
        for (int p = 0; p < 3; p++) {
            store.record(p, session("192.0.2." + p));
        }
        PartitionListener listener = new PartitionListener(store);

        if (lost != null) {
            listener.onPartitionsLost(null, partitions(lost));
        } else {
            listener.onPartitionsRevoked(null, partitions(revoked));
            listener.onPartitionsAssigned(null, partitions(assigned));
        }

        List<String> survivors = java.util.stream.IntStream.range(0, 3)
                .filter(p -> store.record(p, session("192.0.2." + p)).relayAttempts() == 2)
                .mapToObj(Integer::toString).toList();
        assertEquals(kept == null ? List.of() : List.of(kept.split(" ")), survivors);
    }

    private static List<TopicPartition> partitions(String numbers) {
        if (numbers == null) {
            return List.of();
        }
        return Arrays.stream(numbers.split(" ")).flatMap(n -> List.of(new TopicPartition(Topics.MAIL_INBOUND, Integer.parseInt(n)),
                new TopicPartition(Topics.SMTP_SESSIONS, Integer.parseInt(n))).stream()).toList();
    }

    private static SessionSummary session(String ip) {
        return new SessionSummary("01JDQ3W6Z7K3M8N9P0Q1R2S3T4", "test", ip, T0, T0, List.of("a.example"), null, null, List.of(), 0,
                0, 0, 0, 1, 10, SessionSummary.End.QUIT);
    }
}
