package org.mailgateway.ingress.smtp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mailgateway.localstack.testing.EmbeddedInfrastructure;
import org.mailgateway.localstack.testing.EmbeddedInfrastructureResource;
import org.mailgateway.localstack.testing.SmtpDialogue;

/**
 * The idle timeout under stress: with more than two connections open the ingress gives silent clients two seconds
 * instead of ten minutes, as Postfix does when it runs out of processes. A client that fails the shorter timeout gets
 * {@code 421 4.4.2}; a client that was heard from before the stress keeps its own timeout until it speaks again; a
 * client that keeps talking is not cut off; a client that waited long for a reply has the timeout from that reply.
 * With a ten-minute timeout and the dialogue's one-minute read timeout, a stress timeout that did not apply fails
 * these tests rather than passing slowly.
 */
@QuarkusTest
@TestProfile(IdleTimeoutIT.Profile.class)
@WithTestResource(value = EmbeddedInfrastructureResource.class, initArgs = @ResourceArg(name = "smtp", value = "true"))
class IdleTimeoutIT {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "gateway.smtp.idle-timeout", "PT10M",
                    "gateway.smtp.stress.connections", "2",
                    "gateway.smtp.stress.idle-timeout", "PT2S",
                    // with the broker away a message waits this long for its 451: three times the stress timeout
                    "gateway.smtp.kafka.max-block", "PT6S",
                    "gateway.smtp.kafka.delivery-timeout", "PT6S");
        }
    }

    @Inject
    SmtpServer server;

    /** A connection from SOURCE that got its 220 banner. */
    private static SmtpDialogue bannered(String source) {
        return SmtpDialogue.connect(source, EmbeddedInfrastructureResource.smtpPort()).expect(220);
    }

    /** Each test counts its own connections: the previous test's must have been closed on the server's side too. */
    @BeforeEach
    void noConnectionOpen() {
        await().atMost(Duration.ofSeconds(30)).until(() -> server.metrics().activeConnections() == 0);
    }

    @Test
    void underStressSilentClientsGetTheShorterTimeoutFromTheirNextWord() {
        try (SmtpDialogue calm = bannered("127.0.0.41"); SmtpDialogue quiet = bannered("127.0.0.42")) {
            calm.send("EHLO calm.example").expect(250);
            quiet.send("EHLO quiet.example").expect(250);
            // the third connection puts the ingress under stress: it gets the short timeout from its banner on
            try (SmtpDialogue late = bannered("127.0.0.43")) {
                // a client heard from before the stress is held to the short timeout once it speaks again
                calm.send("NOOP").expect(250);
                late.expect(421, "4.4.2");
                assertTrue(late.isClosedByServer());
                calm.expect(421, "4.4.2");
                assertTrue(calm.isClosedByServer());
            }
            // the one that stayed silent since before the stress still has its ten minutes
            quiet.send("NOOP").expect(250);
        }
    }

    @Test
    void aClientThatKeepsTalkingIsNotCutOff() {
        try (SmtpDialogue first = bannered("127.0.0.44"); SmtpDialogue second = bannered("127.0.0.45")) {
            try (SmtpDialogue talker = bannered("127.0.0.46")) {
                talker.send("EHLO talker.example").expect(250);
                // a NOOP every 300 ms for 6 s: three times the stress timeout, each one pushing the deadline on
                for (int i = 0; i < 20; i++) {
                    pause(300);
                    talker.send("NOOP").expect(250);
                }
                talker.expect(421, "4.4.2");
                assertTrue(talker.isClosedByServer());
            }
        }
    }

    @Test
    void afterALongWaitForItsReplyTheClientsIdleTimeCountsFromThatReply() {
        try (SmtpDialogue first = bannered("127.0.0.47"); SmtpDialogue second = bannered("127.0.0.48")) {
            try (SmtpDialogue sender = bannered("127.0.0.49")) {
                sender.send("EHLO sender.example").expect(250)
                        .send("MAIL FROM:<a@example.org>").expect(250)
                        .send("RCPT TO:<b@example.test>").expect(250)
                        .send("DATA").expect(354);
                EmbeddedInfrastructure.stopKafka();
                try {
                    // the message cannot be queued: its 451 comes after the stress timeout has passed since the
                    // client's last bytes, and the client is still owed that timeout from the reply on
                    sender.sendRaw("Subject: waiting\r\n\r\nbody\r\n.\r\n").expect(451, "4.3.0")
                            .expect(421, "4.4.2");
                    assertTrue(sender.isClosedByServer());
                } finally {
                    EmbeddedInfrastructure.startKafka();
                }
            }
        }
    }

    /** The client's own pace between its commands (what the test is about, not a wait for a condition). */
    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
