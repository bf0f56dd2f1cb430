package org.mailgateway.policy.messaging;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.mailgateway.contracts.ContractJson;
import org.mailgateway.contracts.Envelope;
import org.mailgateway.contracts.MessageIds;
import org.mailgateway.contracts.RecordHeaders;
import org.mailgateway.contracts.SessionSummary;
import org.mailgateway.contracts.Topics;
import org.mailgateway.contracts.Verdict;
import org.mailgateway.localstack.testing.EmbeddedInfrastructure;
import org.mailgateway.localstack.testing.TopicReader;

/** What the ingress would publish, for the policy service's integration tests; and reading back what it decided. */
public final class TestRecords {

    private TestRecords() {
    }

    /** Publishes a message as the ingress does (key = client IP, envelope in a header) and returns its envelope. */
    public static Envelope publishMessage(String clientIp, String helo, byte[] message) throws Exception {
        Envelope envelope = new Envelope(MessageIds.next(), Instant.now(), clientIp, helo, "ESMTP", "a@example.org",
                List.of("b@example.test"), message.length, "test");
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.MAIL_INBOUND, clientIp, message);
        record.headers().add(RecordHeaders.ENVELOPE, ContractJson.write(envelope));
        send(record);
        return envelope;
    }

    /** Publishes the summary of a session that announced {@code helo} and tried to relay to {@code relay} recipients. */
    public static void publishSession(String clientIp, String helo, int relay) throws Exception {
        List<SessionSummary.Refusal> refusals = new ArrayList<>();
        for (int i = 0; i < relay; i++) {
            refusals.add(new SessionSummary.Refusal("RCPT", "<victim" + i + "@elsewhere.test>", 554, "5.7.1",
                    SessionSummary.RefusalKind.RELAY));
        }
        Instant now = Instant.now();
        SessionSummary session = new SessionSummary(MessageIds.next(), "test", clientIp, now.minusSeconds(1), now, List.of(helo), null,
                SessionSummary.Auth.NONE, refusals, 0, 0, 0, 0, relay, 200, SessionSummary.End.QUIT);
        send(new ProducerRecord<>(Topics.SMTP_SESSIONS, clientIp, ContractJson.write(session)));
    }

    private static void send(ProducerRecord<String, byte[]> record) throws Exception {
        Map<String, Object> props = Map.of("bootstrap.servers", EmbeddedInfrastructure.kafkaBootstrapServers(),
                "key.serializer", StringSerializer.class.getName(), "value.serializer", ByteArraySerializer.class.getName());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props)) {
            producer.send(record).get(60, TimeUnit.SECONDS);
        }
    }

    public static ConsumerRecord<String, byte[]> awaitVerdictRecord(String messageId) {
        return TopicReader.awaitRecord(EmbeddedInfrastructure.kafkaBootstrapServers(), Topics.MAIL_VERDICTS,
                record -> messageId.equals(record.key()), Duration.ofSeconds(90));
    }

    public static Verdict awaitVerdict(String messageId) {
        return ContractJson.read(awaitVerdictRecord(messageId).headers().lastHeader(RecordHeaders.VERDICT).value(), Verdict.class);
    }
}
