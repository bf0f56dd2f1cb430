package org.mailgateway.systemtests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mailgateway.localstack.Ports;
import org.mailgateway.localstack.Stack;
import org.mailgateway.localstack.StackOptions;
import org.mailgateway.localstack.testing.DownstreamSink;

/**
 * The administrator's first complaint, end to end: "messages are stuck in the host list; how do I open them?"
 * The next hop answers 451 to everything; the message shows up under its destination with that error, its bytes
 * can be read through the API; once the next hop recovers, an operator's flush delivers it exactly once and the
 * destination leaves the list. The operator uses a key from the key file (role operator), not the admin key.
 */
class StuckMailIT {

    private static final String CLIENT = "127.0.0.2";
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String OPERATOR_KEY = "stuck-mail-operator-key-0123456789abcdef";

    private static Path data;
    private static int nextHopPort;
    private static Stack stack;
    private static DownstreamSink nextHop;

    @BeforeAll
    static void startTheGatewayWithANextHopThatAlwaysSays451() throws Exception {
        Path project = Path.of(System.getProperty("gateway.project.dir")).toAbsolutePath().normalize();
        data = project.resolve("system-tests/target/stuck-" + System.currentTimeMillis());
        Files.createDirectories(data);
        Path keys = data.resolve("admin-api-keys");
        Files.writeString(keys, "ops:operator:" + HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(OPERATOR_KEY.getBytes(StandardCharsets.UTF_8))) + "\n");
        nextHopPort = Ports.free();
        StackOptions options = StackOptions.forTests(project, data)
                .env("GATEWAY_SMTP_HOSTNAME", "gateway.test")
                .env("GATEWAY_SMTP_ACCEPTED_DOMAINS", "stuck.test")
                .env("GATEWAY_DELIVERY_ROUTES", "*=[127.0.0.1]:" + nextHopPort)
                // after the first 451 the next attempt is an hour away: only a flush brings it earlier
                .env("GATEWAY_DELIVERY_RETRY_INITIAL", "PT1H")
                .env("GATEWAY_DELIVERY_RETRY_MAX", "PT2H")
                .env("GATEWAY_DELIVERY_POLL_INTERVAL", "PT0.5S")
                .env("GATEWAY_ADMIN_KEYS_FILE", keys.toString());
        nextHop = DownstreamSink.start(nextHopPort, data.resolve("next-hop-451"), "--tempfail-data", "1000000");
        stack = new Stack(options).start();
    }

    @AfterAll
    static void stopTheGateway() {
        if (stack != null) {
            stack.close();
        }
        if (nextHop != null) {
            nextHop.close();
        }
    }

    @Test
    void aStuckMessageIsFoundReadAndFlushedOnceTheNextHopRecovers() throws Exception {
        byte[] sent = ("From: Alice <alice@partner.example>\r\nTo: Bob <bob@stuck.test>\r\nSubject: Invoice 4711\r\n"
                + "Message-ID: <" + System.nanoTime() + "@partner.example>\r\n\r\nPlease find the invoice.\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        String id = send(sent, "bob@stuck.test");
        String destination = "127.0.0.1:" + nextHopPort;

        // the message shows up under its destination, with the next hop's error
        String listed = await().atMost(PATIENCE).until(() -> get("/api/v1/queue/destinations", OPERATOR_KEY).body(),
                body -> body.contains("\"destination\":\"" + destination + "\"") && body.contains("451 4.3.0"));
        assertTrue(listed.contains("\"deferred\":1"), listed);
        String messages = get("/api/v1/queue/messages?destination=" + URLEncoder.encode(destination, StandardCharsets.UTF_8),
                OPERATOR_KEY).body();
        assertTrue(messages.contains("\"id\":\"" + id + "\""), messages);
        assertTrue(messages.contains("\"state\":\"DEFERRED\"") && messages.contains("451 4.3.0 Temporary failure"), messages);

        // its raw bytes can be read: what the client sent, after the gateway's Received: header
        HttpResponse<byte[]> raw = HTTP.send(request("/api/v1/queue/messages/" + id + "/raw", OPERATOR_KEY).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, raw.statusCode());
        assertEquals("attachment; filename=\"" + id + ".eml\"", raw.headers().firstValue("Content-Disposition").orElse(""));
        byte[] stored = raw.body();
        assertTrue(new String(stored, StandardCharsets.UTF_8).startsWith("Received: from "), new String(stored, StandardCharsets.UTF_8));
        assertArrayEquals(sent, Arrays.copyOfRange(stored, stored.length - sent.length, stored.length));

        // the next hop recovers; the next retry is an hour away, so the operator flushes
        nextHop.close();
        nextHop = DownstreamSink.start(nextHopPort, data.resolve("next-hop-recovered"));
        HttpResponse<String> flush = HTTP.send(request("/api/v1/queue/destinations/" + destination + "/flush", OPERATOR_KEY)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, flush.statusCode(), flush.body());
        assertTrue(flush.body().contains("\"recipientsDue\":1"), flush.body());

        // delivered, and the destination leaves the list
        await().atMost(PATIENCE).until(() -> !nextHop.messagesContaining("Subject: Invoice 4711").isEmpty());
        await().atMost(PATIENCE).until(() -> get("/api/v1/queue/destinations", OPERATOR_KEY).body(), "[]"::equals);
        String after = get("/api/v1/queue/messages/" + id, OPERATOR_KEY).body();
        assertTrue(after.contains("\"state\":\"DELIVERED\""), after);
        // exactly once: the recipient is DELIVERED, so no later round sends it again
        assertEquals(1, nextHop.messagesContaining("Subject: Invoice 4711").size());
        assertTrue(nextHop.messagesContaining("Subject: Invoice 4711").get(0).text().contains(" id " + id));

        // the flush is in the audit log under the operator's key name
        String audit = get("/api/v1/audit?key=ops", stack.adminKey()).body();
        assertTrue(audit.contains("\"action\":\"POST /api/v1/queue/destinations/{destination}/flush\""), audit);
        assertTrue(audit.contains("\"destination\":\"" + destination + "\""), audit);
        assertEquals(403, get("/api/v1/audit", OPERATOR_KEY).statusCode(), "an operator may not read the audit log");
    }

    private static String send(byte[] bytes, String recipient) throws Exception {
        return SmtpSubmission.send(stack.smtpPort(), CLIENT, "client.partner.example", bytes, recipient);
    }

    private static HttpRequest.Builder request(String path, String key) {
        return HttpRequest.newBuilder(URI.create(stack.adminUrl() + path)).header("Authorization", "Bearer " + key);
    }

    private static HttpResponse<String> get(String path, String key) throws Exception {
        return HTTP.send(request(path, key).build(), HttpResponse.BodyHandlers.ofString());
    }
}
