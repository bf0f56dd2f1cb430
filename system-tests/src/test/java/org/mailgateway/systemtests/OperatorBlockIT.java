package org.mailgateway.systemtests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mailgateway.localstack.Stack;
import org.mailgateway.localstack.StackOptions;
import org.mailgateway.localstack.testing.SmtpDialogue;

/**
 * The operator's block, end to end: a range blocked over the admin API (as an operator would after looking at
 * the impact preview) is refused at the ingress's door on the next connection, an address just outside it is
 * not, and removing the entry lets the range in again. Everything goes through policy.blocklist.
 */
class OperatorBlockIT {

    private static final String BLOCKED = "127.0.0.97";
    private static final String OUTSIDE = "127.0.0.101";
    private static final String RANGE = "127.0.0.96/30";
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static Stack stack;

    @BeforeAll
    static void startTheGateway() {
        Path project = Path.of(System.getProperty("gateway.project.dir")).toAbsolutePath().normalize();
        Path data = project.resolve("system-tests/target/operator-block-" + System.currentTimeMillis());
        stack = new Stack(StackOptions.forTests(project, data)
                .env("GATEWAY_SMTP_HOSTNAME", "gateway.test")
                .env("GATEWAY_SMTP_ACCEPTED_DOMAINS", "example.test")).start();
    }

    @AfterAll
    static void stopTheGateway() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aRangeBlockedOverTheApiIsRefusedAtTheDoorUntilTheEntryIsRemoved() throws Exception {
        assertEquals(220, knock(BLOCKED).code(), "let in before the block");

        HttpResponse<String> created = HTTP.send(HttpRequest.newBuilder(URI.create(stack.adminUrl() + "/api/v1/blocklist"))
                .header("Authorization", "Bearer " + stack.adminKey()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"cidr\":\"" + RANGE + "\",\"reason\":\"dial-up range sending spam\",\"expires\":\"PT1H\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created.body());

        SmtpDialogue.Reply refused = await().atMost(PATIENCE).pollInterval(Duration.ofMillis(200))
                .until(() -> knock(BLOCKED), reply -> reply.code() == 554);
        assertEquals("5.7.1", refused.enhancedCode(), refused.text());
        assertTrue(refused.text().contains("[" + BLOCKED + "] blocked until ") && refused.text().contains("dial-up range sending spam"),
                refused.text());
        assertEquals(220, knock(OUTSIDE).code(), "an address outside the range is let in");

        HttpResponse<String> removed = HTTP.send(HttpRequest.newBuilder(
                        URI.create(stack.adminUrl() + "/api/v1/blocklist/127.0.0.96%2F30"))
                .header("Authorization", "Bearer " + stack.adminKey()).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(204, removed.statusCode(), removed.body());

        SmtpDialogue.Reply banner = await().atMost(PATIENCE).pollInterval(Duration.ofMillis(200))
                .until(() -> knock(BLOCKED), reply -> reply.code() == 220);
        assertTrue(banner.text().contains("gateway.test"), banner.text());
    }

    /** Connects from {@code address}, reads the greeting and leaves politely when let in. */
    private static SmtpDialogue.Reply knock(String address) {
        return new SeedAttacker(address).knock(stack.smtpPort());
    }
}
