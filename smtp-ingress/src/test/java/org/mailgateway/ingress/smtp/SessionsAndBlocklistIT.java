package org.mailgateway.ingress.smtp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.mailgateway.contracts.BlockEntry;
import org.mailgateway.contracts.ContractJson;
import org.mailgateway.contracts.SessionSummary;
import org.mailgateway.contracts.Topics;
import org.mailgateway.localstack.testing.EmbeddedInfrastructure;
import org.mailgateway.localstack.testing.EmbeddedInfrastructureResource;
import org.mailgateway.localstack.testing.SmtpDialogue;
import org.mailgateway.localstack.testing.TopicReader;

/**
 * What the ingress tells the policy service ({@code smtp.sessions}) and what it does with the policy service's
 * answer ({@code policy.blocklist}): refuse at connect, before any SMTP dialogue.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedInfrastructureResource.class, initArgs = @ResourceArg(name = "smtp", value = "true"))
class SessionsAndBlocklistIT {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @Test
    void everySessionIsSummarisedOnSmtpSessionsKeyedByClientIp() {
        try (SmtpDialogue smtp = SmtpDialogue.connect("127.0.0.6", EmbeddedInfrastructureResource.smtpPort())) {
            smtp.expect(220)
                    .send("EHLO love-1.example").expect(250)
                    .send("HELO love-2.example").expect(250)
                    .send("MAIL FROM:<spammer@example.org>").expect(250)
                    .send("RCPT TO:<victim@elsewhere.test>").expect(554, "5.7.1")
                    .send("RCPT TO:<b@example.test>").expect(250)
                    .send("QUIT").expect(221);
        }

        SessionSummary session = awaitSession("127.0.0.6", s -> s.end() == SessionSummary.End.QUIT);

        assertEquals(List.of("love-1.example", "love-2.example"), session.heloNames());
        assertEquals(1, session.relayAttempts());
        assertEquals(1, session.recipientsAccepted());
        assertEquals(0, session.messagesAccepted());
        assertEquals(List.of(new SessionSummary.Refusal("RCPT", "TO:<victim@elsewhere.test>", 554, "5.7.1",
                SessionSummary.RefusalKind.RELAY)), session.refusals());
        assertTrue(session.bytesReceived() > 0);
        assertTrue(!session.endedAt().isBefore(session.connectedAt()));
    }

    @Test
    void aBlockedClientIsRefusedAtConnectWithTheReasonAndAnAllowEntryWins() {
        Instant now = Instant.now();
        publish("127.0.1.0/24", new BlockEntry("127.0.1.0/24", BlockEntry.Kind.BLOCK, BlockEntry.Source.ADMIN,
                "dial-up range sending spam", List.of(), now, now.plus(Duration.ofHours(1)), 1, "test"));
        publish("127.0.1.7/32", new BlockEntry("127.0.1.7/32", BlockEntry.Kind.ALLOW, BlockEntry.Source.ADMIN,
                "our partner's relay", List.of(), now, null, 0, "test"));

        await().atMost(PATIENCE).untilAsserted(() -> {
            try (SmtpDialogue smtp = SmtpDialogue.connect("127.0.1.6", EmbeddedInfrastructureResource.smtpPort())) {
                smtp.expect(554, "5.7.1");
                assertTrue(smtp.lastReply().text().contains("Client host [127.0.1.6] blocked until "), smtp.lastReply().text());
                assertTrue(smtp.lastReply().text().endsWith("dial-up range sending spam"), smtp.lastReply().text());
                assertTrue(smtp.isClosedByServer());
            }
        });
        try (SmtpDialogue smtp = SmtpDialogue.connect("127.0.1.7", EmbeddedInfrastructureResource.smtpPort())) {
            smtp.expect(220).send("EHLO partner.example").expect(250);
        }
        assertEquals(SessionSummary.End.BLOCKED, awaitSession("127.0.1.6", s -> true).end());

        // the tombstone lifts the block
        publish("127.0.1.0/24", null);
        await().atMost(PATIENCE).untilAsserted(() -> {
            try (SmtpDialogue smtp = SmtpDialogue.connect("127.0.1.6", EmbeddedInfrastructureResource.smtpPort())) {
                smtp.expect(220);
            }
        });
    }

    @Test
    void aBlockedClientsRefusedSessionsAreAllCountedThoughCollapsedIntoFewerSummaries() {
        Instant now = Instant.now();
        publish("127.0.3.0/24", new BlockEntry("127.0.3.0/24", BlockEntry.Kind.BLOCK, BlockEntry.Source.ADMIN,
                "a flood", List.of(), now, now.plus(Duration.ofHours(1)), 1, "test"));
        await().atMost(PATIENCE).untilAsserted(() -> {
            try (SmtpDialogue smtp = SmtpDialogue.connect("127.0.3.5", EmbeddedInfrastructureResource.smtpPort())) {
                smtp.expect(554, "5.7.1");
            }
        });
        for (int i = 0; i < 6; i++) {
            try (SmtpDialogue smtp = SmtpDialogue.connect("127.0.3.5", EmbeddedInfrastructureResource.smtpPort())) {
                smtp.expect(554, "5.7.1");
            }
        }

        // 7 refused sessions (and no other from this address): the summaries add up to exactly 7
        java.util.concurrent.atomic.AtomicInteger counted = new java.util.concurrent.atomic.AtomicInteger();
        TopicReader.awaitRecord(EmbeddedInfrastructure.kafkaBootstrapServers(), Topics.SMTP_SESSIONS, record -> {
            if (!record.key().equals("127.0.3.5")) {
                return false;
            }
            SessionSummary summary = ContractJson.read(record.value(), SessionSummary.class);
            assertEquals(SessionSummary.End.BLOCKED, summary.end());
            return counted.addAndGet(summary.sessions()) >= 7;
        }, PATIENCE);
        assertEquals(7, counted.get());
        publish("127.0.3.0/24", null);
    }

    @Test
    void aBlockEndsAtItsExpiryWithoutAnyFurtherRecord() {
        Instant now = Instant.now();
        publish("127.0.2.9/32", new BlockEntry("127.0.2.9/32", BlockEntry.Kind.BLOCK, BlockEntry.Source.POLICY,
                "client 127.0.2.9 tried to relay 12 times", List.of(), now, now.plusSeconds(3), 1, "policy-test"));

        await().atMost(PATIENCE).untilAsserted(() -> {
            try (SmtpDialogue smtp = SmtpDialogue.connect("127.0.2.9", EmbeddedInfrastructureResource.smtpPort())) {
                smtp.expect(554, "5.7.1");
            }
        });
        await().atMost(PATIENCE).untilAsserted(() -> {
            try (SmtpDialogue smtp = SmtpDialogue.connect("127.0.2.9", EmbeddedInfrastructureResource.smtpPort())) {
                smtp.expect(220);
            }
        });
    }

    @Test
    void aTrustedNetworkIsNeverBlocked() {
        Instant now = Instant.now();
        // one partition for both records, so that once the marker is applied the block on 127.0.0.1 is too
        publish("127.0.0.1/32", new BlockEntry("127.0.0.1/32", BlockEntry.Kind.BLOCK, BlockEntry.Source.ADMIN,
                "a mistake", List.of(), now, now.plusSeconds(60), 1, "test"), 0);
        publish("127.0.3.1/32", new BlockEntry("127.0.3.1/32", BlockEntry.Kind.BLOCK, BlockEntry.Source.ADMIN,
                "marker", List.of(), now, now.plusSeconds(60), 1, "test"), 0);
        await().atMost(PATIENCE).untilAsserted(() -> {
            try (SmtpDialogue smtp = SmtpDialogue.connect("127.0.3.1", EmbeddedInfrastructureResource.smtpPort())) {
                smtp.expect(554, "5.7.1");
            }
        });
        try (SmtpDialogue smtp = SmtpDialogue.connect("127.0.0.1", EmbeddedInfrastructureResource.smtpPort())) {
            smtp.expect(220);
        } finally {
            publish("127.0.0.1/32", null);
        }
    }

    static SessionSummary awaitSession(String clientIp, java.util.function.Predicate<SessionSummary> wanted) {
        return ContractJson.read(TopicReader.awaitRecord(EmbeddedInfrastructure.kafkaBootstrapServers(), Topics.SMTP_SESSIONS,
                record -> record.key().equals(clientIp) && wanted.test(ContractJson.read(record.value(), SessionSummary.class)),
                PATIENCE).value(), SessionSummary.class);
    }

    static void publish(String cidr, BlockEntry entry) {
        publish(cidr, entry, null);
    }

    static void publish(String cidr, BlockEntry entry, Integer partition) {
        Map<String, Object> props = Map.of("bootstrap.servers", EmbeddedInfrastructure.kafkaBootstrapServers(),
                "key.serializer", StringSerializer.class.getName(), "value.serializer", ByteArraySerializer.class.getName());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props)) {
            producer.send(new ProducerRecord<>(Topics.POLICY_BLOCKLIST, partition, cidr,
                    entry == null ? null : ContractJson.write(entry)));
        }
    }
}
