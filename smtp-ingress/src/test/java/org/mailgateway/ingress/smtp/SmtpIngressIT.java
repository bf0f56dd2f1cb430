package org.mailgateway.ingress.smtp;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.mailgateway.contracts.Envelope;
import org.mailgateway.contracts.Lz4Records;
import org.mailgateway.localstack.testing.EmbeddedInfrastructureResource;
import org.mailgateway.localstack.testing.SmtpDialogue;

/**
 * The ingress against a real Kafka broker, driven by scripted SMTP dialogues. 127.0.0.1 is a trusted network
 * (the default); 127.0.0.2 is an ordinary internet client.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedInfrastructureResource.class, initArgs = @ResourceArg(name = "smtp", value = "true"))
class SmtpIngressIT {

    private static final String UNTRUSTED = "127.0.0.2";
    private static final Pattern QUEUED_AS = Pattern.compile("queued as ([0-9A-Z]{26})");

    private static SmtpDialogue connect(String source) {
        return SmtpDialogue.connect(source, EmbeddedInfrastructureResource.smtpPort()).expect(220);
    }

    @Test
    void acceptedMessageIsPublishedByteForByteAfterOurReceivedHeader() {
        String content = "From: a@example.org\r\nTo: b@example.test\r\nSubject: exact\r\n\r\n"
                + "..a line that starts with a dot\r\n\u00e9t\u00e9 8-bit\r\n\r\nlast line\r\n";
        String id;
        try (SmtpDialogue smtp = connect(UNTRUSTED)) {
            smtp.send("EHLO client.example.org").expect(250)
                    .send("MAIL FROM:<a@example.org> BODY=8BITMIME").expect(250, "2.1.0")
                    .send("RCPT TO:<b@Example.Test>").expect(250, "2.1.5")
                    .send("DATA").expect(354)
                    .sendRaw(content.getBytes(StandardCharsets.UTF_8)).sendRaw(".\r\n").expect(250, "2.0.0");
            id = queuedId(smtp);
            smtp.send("QUIT").expect(221, "2.0.0");
        }

        ConsumerRecord<String, byte[]> record = InboundTopic.awaitMessage(id);
        String published = new String(record.value(), StandardCharsets.UTF_8);
        String received = published.substring(0, published.indexOf("\r\nFrom: ") + 2);
        byte[] expectedContent = content.replace("\r\n..a line", "\r\n.a line").getBytes(StandardCharsets.UTF_8);

        assertEquals("127.0.0.2", record.key());
        assertTrue(received.startsWith("Received: from client.example.org ([127.0.0.2])\r\n\t(authenticated: no)\r\n\tby gateway.test with ESMTP id "
                + id + "\r\n\tfor <b@Example.Test>; "), received);
        assertArrayEquals(expectedContent, java.util.Arrays.copyOfRange(record.value(), received.length(), record.value().length));
        Envelope envelope = InboundTopic.envelope(record);
        assertEquals("a@example.org", envelope.mailFrom());
        assertEquals(List.of("b@Example.Test"), envelope.recipients());
        assertEquals("client.example.org", envelope.heloName());
        assertEquals("127.0.0.2", envelope.clientIp());
        assertEquals(record.value().length, envelope.size());
    }

    @Test
    void kafkaCompressesTheRecordsWithTheNativeLz4() {
        // lz4-java does not load its native library by itself in a Quarkus application: Lz4Records does, at startup
        assertEquals("native (JNI)", Lz4Records.implementation());
    }

    @Test
    void relayAttemptFromTheInternetIsRefusedAtRcpt() {
        try (SmtpDialogue smtp = connect(UNTRUSTED)) {
            smtp.send("EHLO love-123.example").expect(250)
                    .send("MAIL FROM:<spammer@example.org>").expect(250)
                    .send("RCPT TO:<victim@elsewhere.test>").expect(554, "5.7.1")
                    .send("RCPT TO:<victim%elsewhere.test@example.test>").expect(554, "5.7.1")
                    .send("RCPT TO:<@example.test:victim@elsewhere.test>").expect(554, "5.7.1")
                    .send("DATA").expect(554, "5.5.1");
        }
    }

    @Test
    void trustedNetworkMayRelay() {
        try (SmtpDialogue smtp = connect("127.0.0.1")) {
            smtp.send("EHLO app.example.org").expect(250)
                    .send("MAIL FROM:<app@example.org>").expect(250)
                    .send("RCPT TO:<someone@elsewhere.test>").expect(250, "2.1.5");
        }
    }

    @Test
    void pipelinedTransactionGetsItsRepliesInOrder() {
        try (SmtpDialogue smtp = connect(UNTRUSTED)) {
            smtp.send("EHLO client.example.org").expect(250);
            smtp.sendRaw("MAIL FROM:<a@example.org>\r\nRCPT TO:<x@elsewhere.test>\r\nRCPT TO:<b@example.test>\r\nDATA\r\n")
                    .expect(250, "2.1.0").expect(554, "5.7.1").expect(250, "2.1.5").expect(354)
                    .sendRaw("Subject: p\r\n\r\nbody\r\n.\r\nNOOP\r\n").expect(250, "2.0.0").expect(250, "2.0.0");
        }
    }

    @Test
    void smugglingAttemptIsOneRefusedMessageNeverTwo() {
        try (SmtpDialogue smtp = connect(UNTRUSTED)) {
            smtp.send("EHLO client.example.org").expect(250)
                    .send("MAIL FROM:<a@example.org>").expect(250)
                    .send("RCPT TO:<b@example.test>").expect(250)
                    .send("DATA").expect(354)
                    .sendRaw("Subject: first\r\n\r\nbody\n.\r\nMAIL FROM:<admin@example.test>\r\nRCPT TO:<b@example.test>\r\n"
                            + "DATA\r\nSubject: smuggled\r\n\r\nx\r\n.\r\n")
                    .expect(550, "5.6.11")
                    .send("NOOP").expect(250);
        }
    }

    @Test
    void commandsOutOfOrderAndUnknownOnes() {
        try (SmtpDialogue smtp = connect(UNTRUSTED)) {
            smtp.send("MAIL FROM:<a@example.org>").expect(503, "5.5.1")
                    .send("EHLO client.example.org").expect(250)
                    .send("RCPT TO:<b@example.test>").expect(503, "5.5.1")
                    .send("DATA").expect(503, "5.5.1")
                    .send("MAIL FROM:<a@example.org>").expect(250)
                    .send("MAIL FROM:<a@example.org>").expect(503, "5.5.1")
                    .send("FOO bar").expect(500, "5.5.2")
                    .send("STARTTLS").expect(503, "5.5.1")
                    .send("EXPN staff").expect(502, "5.5.1")
                    .send("VRFY postmaster").expect(252, "2.0.0")
                    .send("RSET").expect(250, "2.0.0")
                    .send("QUIT").expect(221);
            assertTrue(smtp.isClosedByServer());
        }
    }

    @Test
    void sizeLimitsAtMailAndAtTheEndOfData() {
        try (SmtpDialogue smtp = connect(UNTRUSTED)) {
            smtp.send("EHLO client.example.org").expect(250);
            assertTrue(smtp.lastReply().lines().contains("SIZE 100000"), smtp.lastReply().text());
            smtp.send("MAIL FROM:<a@example.org> SIZE=100001").expect(552, "5.3.4")
                    .send("MAIL FROM:<a@example.org> SIZE=10").expect(250)
                    .send("RCPT TO:<b@example.test>").expect(250)
                    .send("DATA").expect(354)
                    .sendRaw("Subject: big\r\n\r\n" + ("x".repeat(998) + "\r\n").repeat(101) + ".\r\n")
                    .expect(552, "5.3.4")
                    .send("NOOP").expect(250);
        }
    }

    @Test
    void overlongCommandLineIsRefusedAndTheSessionGoesOn() {
        try (SmtpDialogue smtp = connect(UNTRUSTED)) {
            smtp.send("EHLO " + "a".repeat(2000)).expect(500, "5.5.2")
                    .send("EHLO client.example.org").expect(250);
        }
    }

    @Test
    void tooManyErrorsEndTheSession() {
        try (SmtpDialogue smtp = connect(UNTRUSTED)) {
            for (int i = 0; i < 19; i++) {
                smtp.send("BOGUS").expect(500);
            }
            smtp.send("BOGUS").expect(500).expect(421, "4.7.0");
            assertTrue(smtp.isClosedByServer());
        }
    }

    /**
     * A client that pipelines commands and reads none of its replies: once its replies fill the socket, the ingress
     * reads nothing more from it (so it cannot be made to queue replies without bound) and says so at
     * {@code /q/metrics}; when the client reads, the session goes on and every command gets its reply, in order.
     * A million NOOPs make some 14 MB of replies, more than the sockets' buffers on both sides can hold.
     */
    @Test
    void aClientThatReadsNoRepliesIsReadNoFurtherUntilItDoesAndThenGetsEveryReply() throws Exception {
        int noops = 1_000_000;
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096);
            socket.bind(new InetSocketAddress(UNTRUSTED, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", EmbeddedInfrastructureResource.smtpPort()), 10_000);
            socket.setSoTimeout(60_000);
            BufferedReader replies = new BufferedReader(
                    new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII), 1 << 16);
            assertTrue(replies.readLine().startsWith("220 "));
            CompletableFuture<Void> written = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
                    byte[] noop = "NOOP\r\n".getBytes(StandardCharsets.US_ASCII);
                    for (int i = 0; i < noops; i++) {
                        out.write(noop);
                    }
                    out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            await().atMost(Duration.ofSeconds(60)).until(() -> unreadSessionsAtMetrics() == 1);

            int ok = 0;
            String line;
            while ((line = replies.readLine()) != null && line.startsWith("250 ")) {
                ok++;
            }
            assertEquals(noops, ok);
            assertTrue(line != null && line.startsWith("221 "), line);
            assertNull(replies.readLine());
            written.get(60, TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> unreadSessionsAtMetrics() == 0);
    }

    private static double unreadSessionsAtMetrics() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("(?m)^gateway_smtp_connections_unread (\\S+)$").matcher(metrics);
        assertTrue(m.find(), "gateway_smtp_connections_unread is not at /q/metrics");
        return Double.parseDouble(m.group(1));
    }

    static String queuedId(SmtpDialogue smtp) {
        Matcher m = QUEUED_AS.matcher(smtp.lastReply().text());
        assertTrue(m.find(), smtp.lastReply().text());
        return m.group(1);
    }
}
