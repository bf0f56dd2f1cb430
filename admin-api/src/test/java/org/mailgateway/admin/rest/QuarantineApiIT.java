package org.mailgateway.admin.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mailgateway.contracts.ContractJson;
import org.mailgateway.contracts.Envelope;
import org.mailgateway.contracts.MessageIds;
import org.mailgateway.localstack.postgres.EmbeddedPostgresServer;
import org.mailgateway.localstack.testing.EmbeddedInfrastructure;

/**
 * The quarantine API over a real mail store. No key is configured in the test profile, so the service
 * generates one into target/admin-api-test-data/admin-api-key, as on a first local start.
 */
@QuarkusTest
@WithTestResource(MailStoreResource.class)
class QuarantineApiIT {

    private static final String IP = "198.51.100.";
    private static final Instant BASE = Instant.parse("2026-11-01T10:00:00.123456Z");
    private static final byte[] RAW = ("Received: from spam.example ([198.51.100.7])\r\n\tby gateway.test with ESMTP id X\r\n"
            + "Subject: Cheap\r\n =?UTF-8?Q?stuff?=\r\nFrom: a@spam.example\r\n\r\nXJS*C4JDBQADN1...\r\n\u00e9\r\n")
            .getBytes(StandardCharsets.UTF_8);
    private static final List<String> IDS = new ArrayList<>();

    @BeforeAll
    static void quarantineSomeMail() throws Exception {
        try (Connection c = DriverManager.getConnection(EmbeddedInfrastructure.postgres().jdbcUrl(), EmbeddedPostgresServer.USER,
                EmbeddedPostgresServer.PASSWORD)) {
            for (int i = 0; i < 7; i++) {
                // ids are not in time order on purpose: the API orders by time
                String id = MessageIds.next();
                Instant at = BASE.plus(i, ChronoUnit.MINUTES);
                String ip = IP + (i % 2 == 0 ? "7" : "8");
                insert(c, id, at, ip, "QUARANTINE");
                IDS.add(id);
            }
            insert(c, MessageIds.next(), BASE, IP + "7", "DELIVER");
        }
    }

    private static void insert(Connection c, String id, Instant at, String ip, String action) throws Exception {
        Envelope envelope = new Envelope(id, at, ip, "love-123.example", "ESMTP", "a@spam.example", List.of("b@example.test"),
                RAW.length, "ingress-1");
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO message (id, received_at, client_ip, helo_name, mail_from, recipients, size, subject, envelope,
                                     action, score, threshold, hits, decided_at, raw)
                VALUES (?, ?, ?::inet, 'love-123.example', 'a@spam.example', ARRAY['b@example.test'], ?, 'Cheap stuff',
                        ?::jsonb, ?, 1002.5, 5, ?::jsonb, ?, ?)""")) {
            s.setString(1, id);
            s.setTimestamp(2, Timestamp.from(at));
            s.setString(3, ip);
            s.setInt(4, RAW.length);
            s.setString(5, new String(ContractJson.write(envelope), StandardCharsets.UTF_8));
            s.setString(6, action);
            s.setString(7, "[{\"rule\":\"GTUBE\",\"score\":1000,\"reason\":\"the message contains the GTUBE anti-spam test string\"},"
                    + "{\"rule\":\"HELO_NOT_FQDN\",\"score\":2.5,\"reason\":\"HELO name 'x' is not a fully qualified domain name\"}]");
            s.setTimestamp(8, Timestamp.from(at.plusSeconds(1)));
            s.setBytes(9, RAW);
            s.executeUpdate();
        }
    }

    static String key() {
        return TestKeys.localAdmin();
    }

    @Test
    void theGeneratedKeyFileIsReadableByItsOwnerOnly() throws Exception {
        Path file = Path.of("target/admin-api-test-data/admin-api-key");

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertTrue(key().length() >= 40);
    }

    @Test
    void withoutAValidKeyEveryCallIs401WithAProblem() {
        for (String path : List.of("/api/v1/quarantine", "/api/v1/quarantine/" + IDS.get(0), "/api/v1/quarantine/" + IDS.get(0) + "/raw")) {
            given().get(path).then().statusCode(401)
                    .contentType("application/problem+json")
                    .header("WWW-Authenticate", containsString("Bearer"))
                    .body("status", equalTo(401)).body("title", equalTo("Unauthorized"))
                    .body("detail", equalTo("an API key is required: Authorization: Bearer <key>"));
            given().header("Authorization", "Bearer wrong").get(path).then().statusCode(401)
                    .contentType("application/problem+json")
                    .header("WWW-Authenticate", containsString("Bearer"))
                    .body("detail", equalTo("the API key is not valid"));
        }
        given().header("Authorization", "Basic d3Jvbmc=").get("/api/v1/quarantine").then().statusCode(401);
    }

    @Test
    void pagesNewestFirstWithAStableCursor() throws Exception {
        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            Response page = given().auth().oauth2(key()).queryParam("ip", IP + "0/24").queryParam("limit", 3)
                    .queryParam("cursor", cursor == null ? "" : cursor)
                    .get("/api/v1/quarantine").then().statusCode(200).extract().response();
            seen.addAll(page.jsonPath().getList("items.id"));
            cursor = page.jsonPath().getString("nextCursor");
        } while (cursor != null);

        List<String> newestFirst = new ArrayList<>(IDS);
        java.util.Collections.reverse(newestFirst);
        assertEquals(newestFirst, seen);
    }

    @Test
    void filtersByClientAddress() throws Exception {
        given().auth().oauth2(key()).queryParam("ip", IP + "8").get("/api/v1/quarantine").then().statusCode(200)
                .body("items.size()", equalTo(3))
                .body("items.clientIp", everyItem(equalTo(IP + "8")))
                .body("items[0].rules", equalTo(List.of("GTUBE", "HELO_NOT_FQDN")))
                .body("items[0].subject", equalTo("Cheap stuff"))
                .body("nextCursor", nullValue());
    }

    @Test
    void oneMessageWithItsExplanationAndHeaders() throws Exception {
        String id = IDS.get(3);
        given().auth().oauth2(key()).get("/api/v1/quarantine/" + id).then().statusCode(200)
                .body("id", equalTo(id))
                .body("envelope.clientIp", equalTo(IP + "8"))
                .body("envelope.heloName", equalTo("love-123.example"))
                .body("envelope.recipients", equalTo(List.of("b@example.test")))
                .body("score", equalTo(1002.5f)).body("threshold", equalTo(5.0f))
                .body("hits[0].rule", equalTo("GTUBE"))
                .body("hits[1].reason", containsString("not a fully qualified"))
                .body("headers.name", hasItem("Received"))
                .body("headers.find { it.name == 'Subject' }.value", equalTo("Cheap =?UTF-8?Q?stuff?="));
    }

    @Test
    void rawIsTheExactBytes() throws Exception {
        String id = IDS.get(0);
        Response raw = given().auth().oauth2(key()).get("/api/v1/quarantine/" + id + "/raw").then().statusCode(200)
                .contentType("message/rfc822")
                .header("Content-Disposition", "attachment; filename=\"" + id + ".eml\"")
                .extract().response();

        assertArrayEquals(RAW, raw.asByteArray());
    }

    @Test
    void badInputIsAProblemNotACrash() throws Exception {
        String key = key();
        given().auth().oauth2(key).get("/api/v1/quarantine/01ARZ3NDEKTSV4RRFFQ69G5FAV").then().statusCode(404)
                .contentType("application/problem+json");
        given().auth().oauth2(key).get("/api/v1/quarantine/../../etc/passwd").then().statusCode(404);
        given().auth().oauth2(key).queryParam("ip", "example.org").get("/api/v1/quarantine").then().statusCode(400)
                .contentType("application/problem+json").body("detail", containsString("ip:"));
        given().auth().oauth2(key).queryParam("limit", 0).get("/api/v1/quarantine").then().statusCode(400);
        given().auth().oauth2(key).queryParam("limit", 100000).get("/api/v1/quarantine").then().statusCode(400);
        given().auth().oauth2(key).queryParam("cursor", "bm9wZQ").get("/api/v1/quarantine").then().statusCode(400);
        given().auth().oauth2(key).get("/api/v1/no-such-thing").then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void openApiAndHealthNeedNoKey() {
        given().get("/q/openapi").then().statusCode(200).body(containsString("/api/v1/quarantine"));
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
    }
}
