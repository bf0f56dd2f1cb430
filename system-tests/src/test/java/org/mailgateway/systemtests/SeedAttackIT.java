package org.mailgateway.systemtests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mailgateway.contracts.BlockEntry;
import org.mailgateway.contracts.ContractJson;
import org.mailgateway.contracts.RuleHit;
import org.mailgateway.contracts.Topics;
import org.mailgateway.localstack.testing.SmtpDialogue;
import org.mailgateway.localstack.testing.TopicReader;

/**
 * The attack this gateway was built for, end to end on the whole stack: one client IP (127.0.0.77) opens session
 * after session, each announcing a different HELO name and trying to relay. The policy service counts the HELO
 * names and relay attempts per IP across sessions, publishes a block, and the ingress refuses the IP at connect
 * with 554 5.7.1, while other clients' clean mail keeps flowing (also from the same /24: the block is one
 * address). The block is short here (30 s, window 20 s) so the test also sees it expire and the IP come back.
 */
class SeedAttackIT {

    private static final String ATTACKER = "127.0.0.77";
    private static final String NEIGHBOUR = "127.0.0.2";
    private static final String TRUSTED = "127.0.0.1";
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final int HELO_THRESHOLD = 10;
    private static final SeedAttacker ATTACK = new SeedAttacker(ATTACKER);

    private static StackWithSink gateway;

    @BeforeAll
    static void startTheGateway() {
        gateway = StackWithSink.start("seed-attack", (options, sinkPort) -> options
                .env("GATEWAY_SMTP_ACCEPTED_DOMAINS", "example.test")
                .env("GATEWAY_SMTP_TRUSTED_NETWORKS", TRUSTED + "/32")
                .env("GATEWAY_DELIVERY_POLL_INTERVAL", "PT0.5S")
                // short, so that the test sees the block end: the window forgets the attack before the block expires
                .env("GATEWAY_POLICY_WINDOW_LENGTH", "PT20S")
                .env("GATEWAY_POLICY_BLOCK_FIRST_EXPIRY", "PT30S")
                .env("GATEWAY_POLICY_BLOCK_HELO_NAMES", Integer.toString(HELO_THRESHOLD))
                .env("GATEWAY_POLICY_BLOCK_RELAY_ATTEMPTS", "10"));
    }

    @AfterAll
    static void stopTheGateway() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void oneIpRotatingHeloNamesWhileTryingToRelayIsRefusedAtTheDoorUntilTheBlockExpires() {
        // the attack: a new session with a new HELO name each time, until the door closes
        AtomicInteger sessions = new AtomicInteger();
        SmtpDialogue.Reply refusal = await().atMost(PATIENCE).pollInterval(Duration.ofMillis(50))
                .until(() -> ATTACK.session(sessions.incrementAndGet(), gateway.stack().smtpPort()), reply -> reply.code() == 554);
        Instant refusedAt = Instant.now();

        assertEquals("5.7.1", refusal.enhancedCode(), refusal.text());
        assertTrue(refusal.text().contains("[" + ATTACKER + "] blocked until "), refusal.text());
        assertTrue(refusal.text().contains("different HELO names"), refusal.text());

        // the decision: one address, made when the threshold was crossed, explained with the numbers
        BlockEntry block = ContractJson.read(awaitBlockRecord(ATTACKER + "/32").value(), BlockEntry.class);
        assertEquals(BlockEntry.Kind.BLOCK, block.kind());
        assertEquals(BlockEntry.Source.POLICY, block.source());
        assertEquals(List.of("RELAY_ATTEMPTS", "HELO_ROTATION"), block.hits().stream().map(RuleHit::rule).toList());
        assertTrue(block.reason().contains("client " + ATTACKER + " announced " + HELO_THRESHOLD + " different HELO names in 20 seconds"),
                block.reason());
        assertTrue(block.reason().contains("client " + ATTACKER + " tried to relay to 10 recipients in foreign domains in 20 seconds"),
                block.reason());
        assertEquals(Duration.ofSeconds(30), Duration.between(block.createdAt(), block.expiresAt()));
        System.out.printf("seed attack: the block was decided after session %d of %s; session %d was the first refused at connect,"
                + " %d ms after the decision (sessions every 50 ms)%n", HELO_THRESHOLD, ATTACKER, sessions.get(),
                Duration.between(block.createdAt(), refusedAt).toMillis());

        // meanwhile other clients' clean mail flows: a neighbour in the same /24 and a trusted host
        for (String client : List.of(NEIGHBOUR, TRUSTED)) {
            String subject = "Clean mail from " + client + " during the attack";
            sendCleanMail(client, subject);
            await().atMost(PATIENCE).until(() -> !gateway.sink().messagesContaining("Subject: " + subject).isEmpty());
        }
        assertTrue(gateway.sink().messagesContaining("elsewhere.test").isEmpty(), "nothing was relayed");

        // the block expires by itself and the IP is let in again
        SmtpDialogue.Reply banner = await().atMost(PATIENCE).pollInterval(Duration.ofMillis(500))
                .until(() -> ATTACK.knock(gateway.stack().smtpPort()), reply -> reply.code() == 220);
        assertFalse(Instant.now().isBefore(block.expiresAt()), "let in before " + block.expiresAt());
        assertTrue(banner.text().contains("gateway.test"), banner.text());
    }

    private static void sendCleanMail(String client, String subject) {
        try (SmtpDialogue dialogue = SmtpDialogue.connect(client, gateway.stack().smtpPort())) {
            dialogue.expect(220)
                    .send("EHLO client.example.org").expect(250)
                    .send("MAIL FROM:<alice@example.org>").expect(250)
                    .send("RCPT TO:<b@example.test>").expect(250)
                    .send("DATA").expect(354)
                    .sendRaw("From: Alice <alice@example.org>\r\nTo: Bob <b@example.test>\r\nSubject: " + subject
                            + "\r\nMessage-ID: <" + System.nanoTime() + "@example.org>\r\n\r\nHello\r\n.\r\n")
                    .expect(250)
                    .send("QUIT").expect(221);
        }
    }

    private static ConsumerRecord<String, byte[]> awaitBlockRecord(String cidr) {
        return TopicReader.awaitRecord(gateway.stack().kafkaBootstrapServers(), Topics.POLICY_BLOCKLIST,
                record -> cidr.equals(record.key()) && record.value() != null, PATIENCE);
    }
}
