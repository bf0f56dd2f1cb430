package org.mailgateway.policy.messaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.Test;
import org.mailgateway.contracts.BlockEntry;
import org.mailgateway.contracts.ContractJson;
import org.mailgateway.contracts.RuleHit;
import org.mailgateway.contracts.Envelope;
import org.mailgateway.contracts.RecordHeaders;
import org.mailgateway.contracts.Topics;
import org.mailgateway.contracts.Verdict;
import org.mailgateway.localstack.testing.EmbeddedInfrastructure;
import org.mailgateway.localstack.testing.EmbeddedInfrastructureResource;
import org.mailgateway.localstack.testing.TopicReader;

/** The policy service between two real topics: what goes in on mail.inbound comes out scored on mail.verdicts. */
@QuarkusTest
@WithTestResource(EmbeddedInfrastructureResource.class)
class PolicyServiceIT {

    private static final String GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

    @Test
    void gtubeIsQuarantinedAndTheBytesAreUnchanged() throws Exception {
        byte[] message = ("Received: from x\r\nSubject: test\r\n\r\n" + GTUBE + "\r\n").getBytes(StandardCharsets.US_ASCII);
        Envelope envelope = publish("mail.example.org", message);

        ConsumerRecord<String, byte[]> verdictRecord = awaitVerdict(envelope.messageId());
        Verdict verdict = ContractJson.read(verdictRecord.headers().lastHeader(RecordHeaders.VERDICT).value(), Verdict.class);

        assertEquals(Verdict.Action.QUARANTINE, verdict.action());
        assertEquals("GTUBE", verdict.hits().get(0).rule());
        assertArrayEquals(message, verdictRecord.value());
        assertEquals(envelope, ContractJson.read(verdictRecord.headers().lastHeader(RecordHeaders.ENVELOPE).value(), Envelope.class));
    }

    @Test
    void cleanMailIsDelivered() throws Exception {
        Envelope envelope = publish("mail.example.org", "Subject: hello\r\n\r\nhi\r\n".getBytes(StandardCharsets.US_ASCII));

        Verdict verdict = ContractJson.read(awaitVerdict(envelope.messageId()).headers().lastHeader(RecordHeaders.VERDICT).value(),
                Verdict.class);

        assertEquals(Verdict.Action.DELIVER, verdict.action());
        assertEquals(List.of(), verdict.hits());
    }

    @Test
    void consumedOffsetsAreCommittedOnceTheVerdictIsWritten() throws Exception {
        Envelope envelope = publish("mail.example.org", "Subject: commit\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));
        awaitVerdict(envelope.messageId());

        try (Admin admin = Admin.create(Map.of("bootstrap.servers", EmbeddedInfrastructure.kafkaBootstrapServers()))) {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> uncommitted(admin) == 0);
        }
    }

    /** Records of mail.inbound that the policy-service group has not committed yet. */
    private static long uncommitted(Admin admin) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("policy-service")
                .partitionsToOffsetAndMetadata().get();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (TopicPartitionInfo p : admin.describeTopics(List.of(Topics.MAIL_INBOUND)).allTopicNames().get()
                .get(Topics.MAIL_INBOUND).partitions()) {
            latest.put(new TopicPartition(Topics.MAIL_INBOUND, p.partition()), OffsetSpec.latest());
        }
        long behind = 0;
        for (var end : admin.listOffsets(latest).all().get().entrySet()) {
            OffsetAndMetadata done = committed.get(end.getKey());
            behind += end.getValue().offset() - (done == null ? 0 : done.offset());
        }
        return behind;
    }

    private static Envelope publish(String helo, byte[] message) throws Exception {
        return TestRecords.publishMessage("192.0.2.10", helo, message);
    }

    private static ConsumerRecord<String, byte[]> awaitVerdict(String messageId) {
        return TestRecords.awaitVerdictRecord(messageId);
    }

    @Test
    void relayAttemptsFromOneIpInSessionSummariesBlockThatIp() throws Exception {
        for (int i = 0; i < 10; i++) {
            TestRecords.publishSession("198.51.100.23", "relay.example.org", 1);
        }

        BlockEntry entry = awaitBlock("198.51.100.23/32");

        assertEquals(BlockEntry.Kind.BLOCK, entry.kind());
        assertEquals(BlockEntry.Source.POLICY, entry.source());
        assertEquals("client 198.51.100.23 tried to relay to 10 recipients in foreign domains in 10 minutes", entry.reason());
        assertEquals(List.of("RELAY_ATTEMPTS"), entry.hits().stream().map(RuleHit::rule).toList());
        assertEquals(1, entry.offence());
        assertEquals(Duration.ofHours(1), Duration.between(entry.createdAt(), entry.expiresAt()));
    }

    @Test
    void heloRotationFromOneIpBlocksThatIp() throws Exception {
        for (int i = 1; i <= 10; i++) {
            TestRecords.publishSession("198.51.100.24", "love-" + i + ".example", 0);
        }

        BlockEntry entry = awaitBlock("198.51.100.24/32");

        assertEquals("client 198.51.100.24 announced 10 different HELO names in 10 minutes (latest: love-10.example)", entry.reason());
        assertEquals(List.of("HELO_ROTATION"), entry.hits().stream().map(RuleHit::rule).toList());
    }

    @Test
    void theVerdictCarriesEveryHitIncludingWhatTheIpDidBefore() throws Exception {
        for (int i = 1; i <= 5; i++) {
            TestRecords.publishSession("198.51.100.25", "spam-" + i + ".example", 1);
        }
        // sessions and messages of one IP share a partition number but not a topic: the consumer may read the
        // message first, so score fresh messages until the sessions have been counted
        byte[] gtube = ("Subject: x\r\n\r\n" + GTUBE + "\r\n").getBytes(StandardCharsets.US_ASCII);
        Verdict verdict = org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(90)).until(
                () -> TestRecords.awaitVerdict(TestRecords.publishMessage("198.51.100.25", "spam-6", gtube).messageId()),
                v -> v.hits().stream().anyMatch(h -> h.rule().equals("RELAY_ATTEMPTS") && h.reason().contains(" 5 ")));

        assertEquals(List.of("GTUBE", "HELO_NOT_FQDN", "HELO_ROTATION", "RELAY_ATTEMPTS"),
                verdict.hits().stream().map(RuleHit::rule).toList());
        assertEquals("client 198.51.100.25 announced 6 different HELO names in 10 minutes (latest: spam-6)",
                verdict.hits().get(2).reason());
        assertEquals("client 198.51.100.25 tried to relay to 5 recipients in foreign domains in 10 minutes",
                verdict.hits().get(3).reason());
        assertEquals(1000 + 2.5 + 3.0 + 4.0, verdict.score(), 1e-9);
    }

    private static BlockEntry awaitBlock(String cidr) {
        ConsumerRecord<String, byte[]> record = TopicReader.awaitRecord(EmbeddedInfrastructure.kafkaBootstrapServers(),
                Topics.POLICY_BLOCKLIST, r -> cidr.equals(r.key()) && r.value() != null, Duration.ofSeconds(90));
        return ContractJson.read(record.value(), BlockEntry.class);
    }
}
