package org.mailgateway.policy.messaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.mailgateway.contracts.ContractJson;
import org.mailgateway.contracts.Envelope;
import org.mailgateway.contracts.MessageIds;
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
        Envelope envelope = new Envelope(MessageIds.next(), Instant.now(), "192.0.2.10", helo, "ESMTP", "a@example.org",
                List.of("b@example.test"), message.length, "test");
        Map<String, Object> props = Map.of("bootstrap.servers", EmbeddedInfrastructure.kafkaBootstrapServers(),
                "key.serializer", StringSerializer.class.getName(), "value.serializer", ByteArraySerializer.class.getName());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props)) {
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.MAIL_INBOUND, envelope.clientIp(), message);
            record.headers().add(RecordHeaders.ENVELOPE, ContractJson.write(envelope));
            producer.send(record).get(60, TimeUnit.SECONDS);
        }
        return envelope;
    }

    private static ConsumerRecord<String, byte[]> awaitVerdict(String messageId) {
        return TopicReader.awaitRecord(EmbeddedInfrastructure.kafkaBootstrapServers(), Topics.MAIL_VERDICTS,
                record -> messageId.equals(record.key()), Duration.ofSeconds(90));
    }
}
