package org.mailgateway.systemtests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.mailgateway.localstack.GatewayService;
import org.mailgateway.localstack.Ports;
import org.mailgateway.localstack.postgres.EmbeddedPostgresServer;
import org.mailgateway.localstack.process.ServiceProcess;
import org.mailgateway.localstack.testing.DownstreamSink;
import org.mailgateway.localstack.testing.SmtpDialogue;

/**
 * The walking skeleton end to end: the four services as separate processes on a real Kafka broker and a real
 * PostgreSQL, a real SMTP client (Angus Mail) in front and a real SMTP server (aiosmtpd) behind. The client
 * connects from 127.0.0.2, an ordinary internet address (only 127.0.0.1 is a trusted network).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewayEndToEndIT {

    private static final String CLIENT = "127.0.0.2";
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final String GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static StackWithSink gateway;

    @BeforeAll
    static void startTheGateway() {
        int nobodyListens = Ports.free();
        gateway = StackWithSink.start("e2e", (options, sinkPort) -> options
                .env("GATEWAY_SMTP_ACCEPTED_DOMAINS", "example.test,deferred.test")
                .env("GATEWAY_SMTP_TRUSTED_NETWORKS", "127.0.0.1/32")
                .env("GATEWAY_SMTP_KAFKA_DELIVERY_TIMEOUT", "PT5S")
                .env("GATEWAY_SMTP_KAFKA_REQUEST_TIMEOUT", "PT2S")
                .env("GATEWAY_SMTP_KAFKA_MAX_BLOCK", "PT3S")
                .env("GATEWAY_DELIVERY_ROUTES", "deferred.test=[127.0.0.1]:" + nobodyListens + ",*=[127.0.0.1]:" + sinkPort)
                .env("GATEWAY_DELIVERY_RETRY_INITIAL", "PT1S")
                .env("GATEWAY_DELIVERY_RETRY_MAX", "PT2S")
                .env("GATEWAY_DELIVERY_POLL_INTERVAL", "PT0.5S")
                // a crashed queue-service's claims are retried after this (renewed while an instance lives)
                .env("GATEWAY_DELIVERY_LEASE", "PT6S"));
    }

    @AfterAll
    static void stopTheGateway() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    @Order(1)
    void aCleanMessageArrivesDownstreamByteForByteAfterOurReceivedHeader() throws Exception {
        byte[] sent = message("Clean one", "Hello,\r\n.a line with a leading dot\r\n\r\nBye\r\n");

        String id = send(sent, "b@example.test");

        await().atMost(PATIENCE).until(() -> !gateway.sink().messagesContaining("Subject: Clean one").isEmpty());
        byte[] received = gateway.sink().messagesContaining("Subject: Clean one").get(0).content();
        String text = new String(received, StandardCharsets.UTF_8);
        assertTrue(text.startsWith("Received: from client.example.org ([127.0.0.2])\r\n\t(authenticated: no)\r\n\tby gateway.test with ESMTP id " + id
                + "\r\n\tfor <b@example.test>; "), text);
        assertArrayEquals(sent, Arrays.copyOfRange(received, received.length - sent.length, received.length));
        assertEquals(received.length - sent.length, text.indexOf("\r\nFrom: Alice") + 2, "nothing but one header was added");
    }

    @Test
    @Order(2)
    void aRelayAttemptIsRefusedAtRcpt() throws Exception {
        SendFailedException refused = assertThrows(SendFailedException.class,
                () -> send(message("Relay", "please relay\r\n"), "victim@elsewhere.test"));

        SMTPAddressFailedException rcpt = (SMTPAddressFailedException) refused.getNextException();
        assertEquals(554, rcpt.getReturnCode());
        assertTrue(rcpt.getMessage().contains("5.7.1"), rcpt.getMessage());
    }

    @Test
    @Order(3)
    void gtubeIsQuarantinedAndItsRawBytesComeBackFromTheApiIdentical() throws Exception {
        byte[] sent = message("Test spam", "This is the GTUBE:\r\n" + GTUBE + "\r\n");

        String id = send(sent, "b@example.test");

        HttpResponse<String> list = await().atMost(PATIENCE).until(
                () -> api("/api/v1/quarantine?ip=" + CLIENT, gateway.stack().adminKey()), r -> r.body().contains(id));
        assertEquals(200, list.statusCode());
        assertTrue(list.body().contains("\"GTUBE\""), list.body());
        HttpResponse<String> one = api("/api/v1/quarantine/" + id, gateway.stack().adminKey());
        assertTrue(one.body().contains("the message contains the GTUBE anti-spam test string"), one.body());

        HttpResponse<byte[]> raw = HTTP.send(request("/api/v1/quarantine/" + id + "/raw", gateway.stack().adminKey()),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, raw.statusCode());
        assertEquals("message/rfc822", raw.headers().firstValue("Content-Type").orElse(""));
        byte[] stored = raw.body();
        assertTrue(new String(stored, StandardCharsets.UTF_8).startsWith("Received: from client.example.org ([127.0.0.2])"));
        assertArrayEquals(sent, Arrays.copyOfRange(stored, stored.length - sent.length, stored.length));
        assertTrue(gateway.sink().messagesContaining("Subject: Test spam").isEmpty(), "a quarantined message is not delivered");
    }

    @Test
    @Order(4)
    void theApiRefusesAMissingOrWrongKey() throws Exception {
        HttpResponse<String> none = HTTP.send(HttpRequest.newBuilder(URI.create(gateway.stack().adminUrl() + "/api/v1/quarantine")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, none.statusCode());
        assertEquals("application/problem+json", none.headers().firstValue("Content-Type").orElse(""));
        assertTrue(none.body().contains("\"status\":401"), none.body());

        assertEquals(401, api("/api/v1/quarantine", "not-the-key").statusCode());
    }

    @Test
    @Order(5)
    void withKafkaDownDataGets451AndTheIngressStaysHealthyThenMailFlowsAgain() throws Exception {
        gateway.stack().kafka().stop(Duration.ofSeconds(30));
        try {
            SMTPSendFailedException tempfail = assertThrows(SMTPSendFailedException.class,
                    () -> send(message("During outage", "kept by the client\r\n"), "b@example.test"));
            assertEquals(451, tempfail.getReturnCode());
            assertTrue(tempfail.getMessage().contains("4.3.0"), tempfail.getMessage());
            assertTrue(gateway.stack().service(GatewayService.SMTP_INGRESS).isLive());
            assertTrue(gateway.stack().service(GatewayService.SMTP_INGRESS).process().isAlive());
        } finally {
            gateway.stack().startKafka();
        }

        byte[] after = message("After outage", "the broker is back\r\n");
        String id = sendWhenAccepted(after, "b@example.test");

        await().atMost(PATIENCE).until(() -> !gateway.sink().messagesContaining("Subject: After outage").isEmpty());
        assertTrue(gateway.sink().messagesContaining("Subject: After outage").get(0).text().contains(" id " + id));
        assertTrue(gateway.sink().messagesContaining("Subject: During outage").isEmpty(), "a 451'd message stays with its client");
    }

    @Test
    @Order(6)
    void quarantinedAndDeferredMailSurviveARestartOfTheWholeStack() throws Exception {
        String deferredId = send(message("Deferred one", "the next hop is down\r\n"), "b@deferred.test");
        await().atMost(PATIENCE).until(() -> "DEFERRED".equals(deliveryState(deferredId)));

        gateway.restartTheWholeStack();

        HttpResponse<String> quarantine = api("/api/v1/quarantine?ip=" + CLIENT, gateway.stack().adminKey());
        assertEquals(200, quarantine.statusCode());
        assertTrue(quarantine.body().contains("\"GTUBE\""), quarantine.body());
        assertEquals("DEFERRED", deliveryState(deferredId));
        assertTrue(lastReply(deferredId).contains("refused"), lastReply(deferredId));

        String id = sendWhenAccepted(message("After restart", "still flowing\r\n"), "b@example.test");
        await().atMost(PATIENCE).until(() -> !gateway.sink().messagesContaining("Subject: After restart").isEmpty());
        assertTrue(gateway.sink().messagesContaining("Subject: After restart").get(0).text().contains(" id " + id));
    }

    @Test
    @Order(7)
    void onSigtermTheIngressFinishesTheTransactionInFlightAndRefusesAnythingNew() throws Exception {
        ServiceProcess ingress = gateway.stack().service(GatewayService.SMTP_INGRESS);
        try (SmtpDialogue inFlight = SmtpDialogue.connect(CLIENT, gateway.stack().smtpPort());
                SmtpDialogue idle = SmtpDialogue.connect(CLIENT, gateway.stack().smtpPort())) {
            idle.expect(220).send("EHLO idle.example").expect(250);
            inFlight.expect(220).send("EHLO client.example.org").expect(250)
                    .send("MAIL FROM:<alice@example.org>").expect(250)
                    .send("RCPT TO:<b@example.test>").expect(250)
                    .send("DATA").expect(354)
                    .sendRaw("Subject: In flight at shutdown\r\n\r\nfirst half\r\n");

            Thread terminator = new Thread(() -> ingress.process().stop(Duration.ofSeconds(60)));
            terminator.start();

            // the idle session is told at once; the one in the middle of DATA may finish
            idle.expect(421, "4.3.2");
            assertTrue(idle.isClosedByServer());
            inFlight.sendRaw("second half\r\n.\r\n").expect(250, "2.0.0");
            Matcher queued = SmtpSubmission.QUEUED_AS.matcher(inFlight.lastReply().text());
            assertTrue(queued.find());
            inFlight.send("MAIL FROM:<alice@example.org>").expect(421, "4.3.2");
            assertTrue(inFlight.isClosedByServer());
            terminator.join();
            assertTrue(!ingress.process().isAlive());

            await().atMost(PATIENCE).until(() -> !gateway.sink().messagesContaining("Subject: In flight at shutdown").isEmpty());
            assertTrue(gateway.sink().messagesContaining("Subject: In flight at shutdown").get(0).text()
                    .contains(" id " + queued.group(1)));
        } finally {
            gateway.stack().restart(GatewayService.SMTP_INGRESS);
        }
    }

    @Test
    @Order(8)
    void queueServiceKilledInTheMiddleOfDeliveringLosesNothing() throws Exception {
        int count = 40;
        for (int i = 0; i < count; i++) {
            if (i == count / 2) {
                // SIGKILL while it stores and delivers the first half; the second half waits in Kafka
                gateway.stack().service(GatewayService.QUEUE_SERVICE).process().kill();
            }
            sendWhenAccepted(message(String.format("Crash test %02d", i), "delivered once, or at least once\r\n"),
                    "b@example.test");
        }
        gateway.stack().restart(GatewayService.QUEUE_SERVICE);

        await().atMost(PATIENCE).until(() -> {
            for (int i = 0; i < count; i++) {
                if (gateway.sink().messagesContaining(String.format("Subject: Crash test %02d", i)).isEmpty()) {
                    return false;
                }
            }
            return true;
        });
        int duplicates = 0;
        for (int i = 0; i < count; i++) {
            duplicates += gateway.sink().messagesContaining(String.format("Subject: Crash test %02d", i)).size() - 1;
        }
        System.out.printf("queue-service SIGKILL mid-delivery: %d of %d messages arrived, %d duplicates downstream%n",
                count, count, duplicates);
        assertTrue(duplicates <= count / 2, "at most the messages in flight at the kill can come twice: " + duplicates);
    }

    @Test
    @Order(9)
    void withPostgresqlStoppedMailIsStillAcceptedAndNothingIsLostWhenItReturns() throws Exception {
        gateway.stack().stopPostgres();
        ServiceProcess queue = gateway.stack().service(GatewayService.QUEUE_SERVICE);
        List<String> ids = new java.util.ArrayList<>();
        try {
            await().atMost(PATIENCE).until(() -> !queue.isReady());
            assertTrue(queue.isLive(), "without its database the queue service is not ready, but alive: nothing to restart");
            for (int i = 0; i < 10; i++) {
                // the ingress and policy never need PostgreSQL: mail is accepted, and waits in Kafka
                ids.add(send(message(String.format("Database away %02d", i), "stored when it is back\r\n"), "b@example.test"));
            }
            assertTrue(gateway.sink().messagesContaining("Subject: Database away").isEmpty(), "nothing is delivered unstored");
        } finally {
            gateway.stack().startPostgres();
        }

        await().atMost(PATIENCE).until(queue::isReady);
        await().atMost(PATIENCE).until(() -> gateway.sink().messagesContaining("Subject: Database away").size() >= 10);
        for (int i = 0; i < 10; i++) {
            List<DownstreamSink.Received> copies = gateway.sink().messagesContaining(String.format("Subject: Database away %02d", i));
            assertEquals(1, copies.size(), "message " + i);
            assertTrue(copies.get(0).text().contains(" id " + ids.get(i)));
        }
    }

    // --- the client side ---

    private static byte[] message(String subject, String body) {
        return ("From: Alice <alice@example.org>\r\nTo: Bob <b@example.test>\r\nSubject: " + subject + "\r\n"
                + "Message-ID: <" + System.nanoTime() + "@example.org>\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=us-ascii\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
    }

    private static String send(byte[] bytes, String recipient) throws MessagingException {
        return SmtpSubmission.send(gateway.stack().smtpPort(), CLIENT, "client.example.org", bytes, recipient);
    }

    /** After an outage the producer may need a moment to reconnect: a 451 then is the client's cue to retry. */
    private static String sendWhenAccepted(byte[] bytes, String recipient) {
        return await().atMost(PATIENCE).ignoreExceptionsMatching(e -> e instanceof SMTPSendFailedException s && s.getReturnCode() == 451)
                .until(() -> send(bytes, recipient), id -> id != null);
    }

    // --- the operator side ---

    private static HttpRequest request(String path, String key) {
        return HttpRequest.newBuilder(URI.create(gateway.stack().adminUrl() + path)).header("Authorization", "Bearer " + key).build();
    }

    private static HttpResponse<String> api(String path, String key) throws Exception {
        return HTTP.send(request(path, key), HttpResponse.BodyHandlers.ofString());
    }

    private static String deliveryState(String messageId) throws Exception {
        return queryOne("SELECT state FROM delivery WHERE message_id = ?", messageId);
    }

    private static String lastReply(String messageId) throws Exception {
        return queryOne("SELECT last_reply FROM delivery WHERE message_id = ?", messageId);
    }

    private static String queryOne(String sql, String messageId) throws Exception {
        try (Connection c = DriverManager.getConnection(gateway.stack().postgres().jdbcUrl(), EmbeddedPostgresServer.USER,
                EmbeddedPostgresServer.PASSWORD); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, messageId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
