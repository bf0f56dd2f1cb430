package org.mailgateway.admin.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import java.sql.Connection;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The quarantine searches over 200,000 quarantined messages (addresses in 10.20.0.0/16, 2026-09): each answers
 * right; the time each took is printed for the README (a measurement, not an assertion).
 */
@QuarkusTest
@WithTestResource(MailStoreResource.class)
class QuarantineScaleIT {

    private static final int MESSAGES = 200_000;

    @Test
    void searchesOverTwoHundredThousandQuarantinedMessages() throws Exception {
        long start = System.nanoTime();
        try (Connection c = StoreFixtures.connect(); Statement s = c.createStatement()) {
            // ids: 26 characters of Crockford base32 (valid message ids), unique per row
            s.execute("""
                    INSERT INTO message (id, received_at, client_ip, helo_name, mail_from, recipients, size, subject, envelope,
                                         action, score, threshold, hits, decided_at, raw)
                    SELECT '09' || lpad(upper(to_hex(i)), 24, '0'),
                           timestamptz '2026-09-01 00:00:00Z' + i * interval '10 seconds',
                           ('10.20.' || (i % 256) || '.' || (i / 256 % 256))::inet,
                           'love-' || (i % 5000) || '.example', 'spam' || (i % 1000) || '@bulk.example',
                           ARRAY['user' || (i % 300) || '@example.test'], 100, 'Offer ' || i, '{}'::jsonb,
                           'QUARANTINE', 5 + (i % 50), 5,
                           jsonb_build_array(jsonb_build_object('rule', CASE WHEN i % 10 = 0 THEN 'RELAY_ATTEMPTS' ELSE 'HELO_ROTATION' END,
                                                                'score', 5, 'reason', 'scale test')),
                           timestamptz '2026-09-01 00:00:00Z' + i * interval '10 seconds',
                           convert_to('Subject: Offer ' || i || E'\\r\\n\\r\\nbuy\\r\\n', 'UTF8')
                      FROM generate_series(1, $n) AS i""".replace("$n", Integer.toString(MESSAGES)));
            s.execute("ANALYZE message");
        }
        System.out.printf("inserted %,d quarantined messages in %d ms%n", MESSAGES, (System.nanoTime() - start) / 1_000_000);

        Map<String, UnaryOperator<RequestSpecification>> searches = new LinkedHashMap<>();
        searches.put("newest page (50)", r -> r.queryParam("ip", "10.20.0.0/16"));
        searches.put("one address", r -> r.queryParam("ip", "10.20.7.9"));
        searches.put("a /24", r -> r.queryParam("ip", "10.20.7.0/24"));
        searches.put("HELO part", r -> r.queryParam("ip", "10.20.0.0/16").queryParam("helo", "love-4999."));
        searches.put("sender part", r -> r.queryParam("ip", "10.20.0.0/16").queryParam("sender", "spam999@"));
        searches.put("recipient part", r -> r.queryParam("ip", "10.20.0.0/16").queryParam("recipient", "user299@"));
        searches.put("rule", r -> r.queryParam("ip", "10.20.0.0/16").queryParam("rule", "RELAY_ATTEMPTS"));
        searches.put("minScore 54", r -> r.queryParam("ip", "10.20.0.0/16").queryParam("minScore", "54"));
        searches.put("one hour", r -> r.queryParam("since", "2026-09-10T00:00:00Z").queryParam("until", "2026-09-10T01:00:00Z"));
        StringBuilder report = new StringBuilder();
        for (var search : searches.entrySet()) {
            given().auth().oauth2(TestKeys.viewer()).get("/api/v1/quarantine").then().statusCode(200); // warm the connection
            long t0 = System.nanoTime();
            var response = search.getValue().apply(given().auth().oauth2(TestKeys.viewer()).queryParam("limit", 50))
                    .get("/api/v1/quarantine").then().statusCode(200)
                    .body("items.clientIp", everyItem(startsWith("10.20."))).extract().jsonPath();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            report.append(String.format("  %-18s %4d ms, %d items%n", search.getKey(), ms, response.getList("items").size()));
        }
        // the deepest page: a cursor near the oldest message
        String cursor = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("1788220955000000:09" + "0".repeat(24)).getBytes());
        long t0 = System.nanoTime();
        given().auth().oauth2(TestKeys.viewer()).queryParam("ip", "10.20.0.0/16").queryParam("cursor", cursor)
                .get("/api/v1/quarantine").then().statusCode(200).body("items.size()", equalTo(15));
        report.append(String.format("  %-18s %4d ms%n", "last page (cursor)", (System.nanoTime() - t0) / 1_000_000));
        t0 = System.nanoTime();
        given().auth().oauth2(TestKeys.operator()).contentType("application/json")
                .body("{\"filter\": {\"ip\": \"10.20.0.0/16\"}, \"action\": \"delete\", \"dryRun\": true}")
                .post("/api/v1/quarantine/bulk").then().statusCode(400).body("detail", startsWith("filter:"));
        report.append(String.format("  %-18s %4d ms%n", "bulk over bound", (System.nanoTime() - t0) / 1_000_000));
        System.out.printf("quarantine searches over %,d messages (HTTP round trip, embedded PostgreSQL 17):%n%s", MESSAGES, report);

        try (Connection c = StoreFixtures.connect(); Statement s = c.createStatement()) {
            s.execute("DELETE FROM message WHERE client_ip <<= '10.20.0.0/16'");
        }
    }
}
