package org.mailgateway.queue.delivery;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mailgateway.queue.delivery.RecipientResult.Outcome;

/** The delivery client against scripted downstream servers: reuse, pipelining, limits, partial and broken replies. */
class SmtpDeliveryClientTest {

    private static final byte[] MESSAGE = ("Subject: test\r\n\r\n.leading dot\r\n" + "long ".repeat(300) + "\r\n")
            .getBytes(StandardCharsets.US_ASCII);

    private Vertx vertx;
    private ScriptedSmtpServer server;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        server = new ScriptedSmtpServer();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private SmtpDeliveryClient client(int connections, Duration replyTimeout) {
        return client(connections, replyTimeout, Set.of());
    }

    private SmtpDeliveryClient client(int connections, Duration replyTimeout, Set<Destination> tlsRequired) {
        return new SmtpDeliveryClient(vertx, "gateway.test", Duration.ofSeconds(5), replyTimeout,
                new SmtpDeliveryClient.PoolSettings(connections, Duration.ofSeconds(30), 100, true, tlsRequired));
    }

    private static List<RecipientResult> await(Future<List<RecipientResult>> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static List<Outcome> outcomes(List<RecipientResult> results) {
        return results.stream().map(RecipientResult::outcome).toList();
    }

    @Test
    void consecutiveMessagesReuseOneConnectionAndArriveByteForByte() throws Exception {
        SmtpDeliveryClient client = client(10, Duration.ofSeconds(10));
        for (int i = 0; i < 3; i++) {
            assertEquals(List.of(Outcome.DELIVERED), outcomes(await(client.deliver(server.destination(), "a@example.org",
                    List.of("b@example.test"), Buffer.buffer(MESSAGE)))));
        }

        assertEquals(1, server.connections.get());
        assertEquals(1, server.ehlos.get());
        assertEquals(3, server.received.size());
        assertArrayEquals(MESSAGE, server.received.get(2).data());
    }

    @Test
    void withPipeliningMailRcptAndDataGoInOneWrite() throws Exception {
        server.insistOnPipelining = true;

        List<RecipientResult> results = await(client(10, Duration.ofSeconds(5)).deliver(server.destination(), "a@example.org",
                List.of("b@example.test", "c@example.test"), Buffer.buffer(MESSAGE)));

        assertEquals(List.of(Outcome.DELIVERED, Outcome.DELIVERED), outcomes(results));
        assertEquals(List.of("b@example.test", "c@example.test"), server.received.get(0).recipients());
    }

    @Test
    void withoutPipeliningTheClientWaitsForEachReply() throws Exception {
        server.pipelining = false;

        List<RecipientResult> results = await(client(10, Duration.ofSeconds(5)).deliver(server.destination(), "a@example.org",
                List.of("b@example.test"), Buffer.buffer(MESSAGE)));

        assertEquals(List.of(Outcome.DELIVERED), outcomes(results));
    }

    @Test
    void oneRecipientRefusedTheOtherDeliveredInTheSameTransaction() throws Exception {
        for (boolean pipelining : List.of(true, false)) {
            server.pipelining = pipelining;
            server.refuseRecipient = r -> r.startsWith("nobody");

            List<RecipientResult> results = await(client(10, Duration.ofSeconds(5)).deliver(server.destination(),
                    "a@example.org", List.of("nobody@example.test", "b@example.test"), Buffer.buffer(MESSAGE)));

            assertEquals(List.of(Outcome.FAILED, Outcome.DELIVERED), outcomes(results), "pipelining " + pipelining);
            assertTrue(results.get(0).reply().startsWith("550 5.1.1"), results.get(0).reply());
        }
    }

    @Test
    void allRecipientsRefusedLeavesTheConnectionFitForTheNextMessage() throws Exception {
        server.refuseRecipient = r -> r.startsWith("nobody");
        SmtpDeliveryClient client = client(10, Duration.ofSeconds(5));

        assertEquals(List.of(Outcome.FAILED), outcomes(await(client.deliver(server.destination(), "a@example.org",
                List.of("nobody@example.test"), Buffer.buffer(MESSAGE)))));
        assertEquals(List.of(Outcome.DELIVERED), outcomes(await(client.deliver(server.destination(), "a@example.org",
                List.of("b@example.test"), Buffer.buffer(MESSAGE)))));
        assertEquals(1, server.connections.get());
    }

    @Test
    void aConnectionTheServerClosedWhileIdleIsReplacedWithoutDeferringAnything() throws Exception {
        server.closeAfterTransaction = true;
        SmtpDeliveryClient client = client(10, Duration.ofSeconds(5));

        for (int i = 0; i < 3; i++) {
            assertEquals(List.of(Outcome.DELIVERED), outcomes(await(client.deliver(server.destination(), "a@example.org",
                    List.of("b@example.test"), Buffer.buffer(MESSAGE)))));
        }
        assertEquals(3, server.connections.get());
    }

    @Test
    void connectionsPerDestinationAreLimited() throws Exception {
        server.dataReplyDelayMillis = 300;
        SmtpDeliveryClient client = client(2, Duration.ofSeconds(10));

        List<Future<List<RecipientResult>>> all = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            all.add(client.deliver(server.destination(), "a@example.org", List.of("b" + i + "@example.test"),
                    Buffer.buffer(MESSAGE)));
        }
        for (Future<List<RecipientResult>> f : all) {
            assertEquals(List.of(Outcome.DELIVERED), outcomes(await(f)));
        }
        assertEquals(2, server.maxConcurrent.get());
        assertEquals(6, server.received.size());
    }

    @Test
    void aConnectionDroppedInTheMiddleOfDataDefers() throws Exception {
        server.dropDuringData = true;

        List<RecipientResult> results = await(client(10, Duration.ofSeconds(5)).deliver(server.destination(), "a@example.org",
                List.of("b@example.test"), Buffer.buffer(MESSAGE)));

        assertEquals(List.of(Outcome.DEFERRED), outcomes(results));
    }

    @Test
    void aServerSlowerThanTheReplyTimeoutDefers() throws Exception {
        server.dataReplyDelayMillis = 3000;

        List<RecipientResult> results = await(client(10, Duration.ofSeconds(1)).deliver(server.destination(), "a@example.org",
                List.of("b@example.test"), Buffer.buffer(MESSAGE)));

        assertEquals(List.of(Outcome.DEFERRED), outcomes(results));
        assertTrue(results.get(0).reply().contains("no reply within"), results.get(0).reply());
    }

    @Test
    void anEightBitMessageIsNeverSentToASevenBitServer() throws Exception {
        server.eightBitMime = false;

        List<RecipientResult> results = await(client(10, Duration.ofSeconds(5)).deliver(server.destination(), "a@example.org",
                List.of("b@example.test"), Buffer.buffer("Subject: \u00e9t\u00e9\r\n\r\n8-bit\r\n".getBytes(StandardCharsets.UTF_8))));

        assertEquals(List.of(Outcome.FAILED), outcomes(results));
        assertTrue(results.get(0).reply().startsWith("554 5.6.3"));
        assertEquals(0, server.received.size());
    }

    @Test
    void aNonAsciiAddressTravelsOnlyToAServerThatAnnouncesSmtpUtf8() throws Exception {
        String recipient = "j\u00f6rg@b\u00fccher.test";

        List<RecipientResult> refused = await(client(10, Duration.ofSeconds(5)).deliver(server.destination(), "a@example.org",
                List.of(recipient), Buffer.buffer(MESSAGE)));

        assertEquals(List.of(Outcome.FAILED), outcomes(refused));
        assertTrue(refused.get(0).reply().startsWith("553 5.6.7"), refused.get(0).reply());
        assertEquals(0, server.received.size());

        server.smtpUtf8 = true;
        List<RecipientResult> delivered = await(client(10, Duration.ofSeconds(5)).deliver(server.destination(), "a@example.org",
                List.of(recipient), Buffer.buffer(MESSAGE)));

        assertEquals(List.of(Outcome.DELIVERED), outcomes(delivered));
        assertTrue(server.mailCommands.get(0).endsWith(" SMTPUTF8"), server.mailCommands.get(0));
        String received = server.received.get(0).recipients().get(0);
        assertEquals(recipient, new String(received.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
    }

    @Test
    void starttlsIsUsedWhenOffered() throws Exception {
        server.starttls = true;

        List<RecipientResult> results = await(client(10, Duration.ofSeconds(5)).deliver(server.destination(), "a@example.org",
                List.of("b@example.test"), Buffer.buffer(MESSAGE)));

        assertEquals(List.of(Outcome.DELIVERED), outcomes(results));
        assertTrue(server.received.get(0).tls(), "the message went over TLS");
        assertArrayEquals(MESSAGE, server.received.get(0).data());
    }

    @Test
    void withoutStarttlsMailIsStillDeliveredUnlessTlsIsRequiredForThatNextHop() throws Exception {
        assertEquals(List.of(Outcome.DELIVERED), outcomes(await(client(10, Duration.ofSeconds(5)).deliver(server.destination(),
                "a@example.org", List.of("b@example.test"), Buffer.buffer(MESSAGE)))));
        assertTrue(!server.received.get(0).tls());

        List<RecipientResult> required = await(client(10, Duration.ofSeconds(5), Set.of(server.destination()))
                .deliver(server.destination(), "a@example.org", List.of("b@example.test"), Buffer.buffer(MESSAGE)));

        assertEquals(List.of(Outcome.DEFERRED), outcomes(required));
        assertTrue(required.get(0).reply().contains("TLS is required"), required.get(0).reply());
        assertEquals(1, server.received.size());
    }

    @Test
    void tlsRequiredAndOfferedDelivers() throws Exception {
        server.starttls = true;

        List<RecipientResult> results = await(client(10, Duration.ofSeconds(5), Set.of(server.destination()))
                .deliver(server.destination(), "a@example.org", List.of("b@example.test"), Buffer.buffer(MESSAGE)));

        assertEquals(List.of(Outcome.DELIVERED), outcomes(results));
        assertTrue(server.received.get(0).tls());
    }

    @Test
    void aDownstreamThatAcceptsAndThenStallsHoldsOnlyItsOwnConnectionsWhileOthersFlow() throws Exception {
        try (ScriptedSmtpServer stalled = new ScriptedSmtpServer()) {
            stalled.silent = true;
            SmtpDeliveryClient client = client(2, Duration.ofSeconds(3));

            List<Future<List<RecipientResult>>> stuck = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                stuck.add(client.deliver(stalled.destination(), "a@example.org", List.of("b@stalled.test"), Buffer.buffer(MESSAGE)));
            }
            int mostOpenToTheStalledOne = 0;
            for (int i = 0; i < 10; i++) {
                assertEquals(List.of(Outcome.DELIVERED), outcomes(await(client.deliver(server.destination(), "a@example.org",
                        List.of("b@example.test"), Buffer.buffer(MESSAGE)))), "message " + i + " to the healthy next hop");
                mostOpenToTheStalledOne = Math.max(mostOpenToTheStalledOne, client.openConnections(stalled.destination()));
            }
            assertTrue(mostOpenToTheStalledOne <= 2, "the stalled next hop holds at most its 2 connections: "
                    + mostOpenToTheStalledOne);
            assertEquals(10, server.received.size());
            for (Future<List<RecipientResult>> result : stuck) {
                RecipientResult r = await(result).get(0);
                assertEquals(Outcome.DEFERRED, r.outcome());
                assertTrue(r.reply().contains("no reply within"), r.reply());
            }
        }
    }

    @Test
    void nobodyListeningDefers() throws Exception {
        Destination nowhere = server.destination();
        server.close();

        List<RecipientResult> results = await(client(10, Duration.ofSeconds(5)).deliver(nowhere, "a@example.org",
                List.of("b@example.test"), Buffer.buffer(MESSAGE)));

        assertEquals(List.of(Outcome.DEFERRED), outcomes(results));
    }
}
