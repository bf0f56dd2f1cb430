package org.mailgateway.admin.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mailgateway.contracts.MessageIds;

/** The deferred queue over a real mail store; each test has its own destinations (*.queue.test). */
@QuarkusTest
@WithTestResource(MailStoreResource.class)
class QueueApiIT {

    private static final Instant T0 = Instant.parse("2026-11-01T06:00:00Z");
    private static final byte[] RAW = "Subject: Invoice\r\nFrom: alice@partner.example\r\n\r\nsee attached\r\n"
            .getBytes(StandardCharsets.US_ASCII);
    private static final Instant LATER = Instant.now().plus(1, ChronoUnit.HOURS);

    private static String queued(Instant receivedAt, String... recipients) throws Exception {
        String id = MessageIds.next();
        StoreFixtures.insert(new StoreFixtures.Mail(id, receivedAt, "198.51.100.20", "mail.partner.example", "alice@partner.example",
                List.of(recipients), "DELIVER", 0.5, "[]", RAW));
        return id;
    }

    private static void deferred(String id, String recipient, String destination, String reply) throws Exception {
        StoreFixtures.delivery(id, recipient, destination, "DEFERRED", 3, LATER, reply, null);
    }

    private static JsonPath destination(String name) {
        return given().auth().oauth2(TestKeys.viewer()).get("/api/v1/queue/destinations").then().statusCode(200).extract()
                .jsonPath().setRootPath("find { it.destination == '" + name + "' }");
    }

    @Test
    void destinationsShowCountsOldestLastErrorAndNextAttempt() throws Exception {
        String hop = "stuck.queue.test:25";
        String first = queued(T0, "a@example.test", "b@example.test");
        String second = queued(T0.plusSeconds(60), "c@example.test");
        deferred(first, "a@example.test", hop, "451 4.3.0 try again later");
        deferred(first, "b@example.test", hop, "451 4.3.0 try again later");
        StoreFixtures.delivery(second, "c@example.test", hop, "QUEUED", 0, LATER.plusSeconds(60), null, null);

        JsonPath d = destination(hop);
        assertEquals(2, d.getInt("deferred"));
        assertEquals(1, d.getInt("queued"));
        assertEquals(2, d.getInt("messages"));
        assertEquals(T0, Instant.parse(d.getString("oldest")));
        assertEquals("451 4.3.0 try again later", d.getString("lastError"));
        assertEquals(LATER.truncatedTo(ChronoUnit.MILLIS), Instant.parse(d.getString("nextAttemptAt")).truncatedTo(ChronoUnit.MILLIS));
    }

    @Test
    void messagesByDestinationAndStateOldestFirstInPages() throws Exception {
        String hop = "paged.queue.test:25";
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String id = queued(T0.plusSeconds(i), "r" + i + "@example.test");
            ids.add(id);
            deferred(id, "r" + i + "@example.test", hop, "451 busy");
        }
        String delivered = queued(T0.plusSeconds(10), "x@example.test");
        StoreFixtures.delivery(delivered, "x@example.test", hop, "DELIVERED", 1, T0, "250 ok", null);

        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            JsonPath page = given().auth().oauth2(TestKeys.viewer()).queryParam("destination", hop).queryParam("limit", 2)
                    .queryParam("cursor", cursor == null ? "" : cursor).get("/api/v1/queue/messages").then().statusCode(200)
                    .body("items.deliveries.flatten().state", org.hamcrest.Matchers.everyItem(equalTo("DEFERRED")))
                    .extract().jsonPath();
            seen.addAll(page.getList("items.id"));
            cursor = page.getString("nextCursor");
        } while (cursor != null);
        assertEquals(ids, seen);

        given().auth().oauth2(TestKeys.viewer()).queryParam("destination", hop).queryParam("state", "delivered")
                .get("/api/v1/queue/messages").then().statusCode(200)
                .body("items.id", equalTo(List.of(delivered))).body("items[0].deliveries[0].lastReply", equalTo("250 ok"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "state       | stuck",
        "limit       | 0",
        "cursor      | xyz",
    })
    void badListInputIsAProblemNamingIt(String parameter, String value) {
        given().auth().oauth2(TestKeys.viewer()).queryParam(parameter, value).get("/api/v1/queue/messages").then().statusCode(400)
                .contentType("application/problem+json").body("detail", startsWith(parameter + ":"));
    }

    @Test
    void oneMessageWithEveryRecipientItsHeadersAndItsBytes() throws Exception {
        String hop = "read.queue.test:25";
        String id = queued(T0, "a@example.test", "b@example.test");
        deferred(id, "a@example.test", hop, "451 4.7.1 greylisted");
        StoreFixtures.delivery(id, "b@example.test", hop, "DELIVERED", 1, T0, "250 2.0.0 ok", null);

        given().auth().oauth2(TestKeys.viewer()).get("/api/v1/queue/messages/" + id).then().statusCode(200)
                .body("id", equalTo(id)).body("action", equalTo("DELIVER"))
                .body("envelope.mailFrom", equalTo("alice@partner.example"))
                .body("deliveries.state", equalTo(List.of("DEFERRED", "DELIVERED")))
                .body("deliveries[0].lastReply", equalTo("451 4.7.1 greylisted"))
                .body("headers.find { it.name == 'Subject' }.value", equalTo("Invoice"))
                .body("parts[0].text", equalTo("see attached\r\n")).body("bytesKept", equalTo(true));
        byte[] raw = given().auth().oauth2(TestKeys.viewer()).get("/api/v1/queue/messages/" + id + "/raw").then().statusCode(200)
                .contentType("message/rfc822").header("Content-Disposition", "attachment; filename=\"" + id + ".eml\"")
                .extract().asByteArray();
        assertArrayEquals(RAW, raw);
    }

    @Test
    void aQuarantinedOrUnknownMessageIsNotInTheQueue() throws Exception {
        String quarantined = MessageIds.next();
        StoreFixtures.insert(new StoreFixtures.Mail(quarantined, T0, "198.51.100.21", "h", "s@x.example", List.of("a@example.test"),
                "QUARANTINE", 9, "[]", RAW));
        for (String id : List.of(quarantined, MessageIds.next(), "not-an-id")) {
            given().auth().oauth2(TestKeys.viewer()).get("/api/v1/queue/messages/" + id).then().statusCode(404)
                    .contentType("application/problem+json");
            given().auth().oauth2(TestKeys.viewer()).get("/api/v1/queue/messages/" + id + "/raw").then().statusCode(404)
                    .contentType("application/problem+json");
        }
    }

    @Test
    void flushMakesEveryPendingRecipientDueExceptOneInDelivery() throws Exception {
        String hop = "flush.queue.test:25";
        String waiting = queued(T0, "a@example.test");
        deferred(waiting, "a@example.test", hop, "451 later");
        String busy = queued(T0, "b@example.test");
        StoreFixtures.delivery(busy, "b@example.test", hop, "DEFERRED", 2, LATER, "451 later", Instant.now().plusSeconds(600));

        given().auth().oauth2(TestKeys.operator()).post("/api/v1/queue/destinations/" + hop + "/flush").then().statusCode(200)
                .body("destination", equalTo(hop)).body("recipientsDue", equalTo(1)).body("pending", equalTo(2));

        assertTrue(Instant.parse(StoreFixtures.queryOne(
                "SELECT to_char(next_attempt_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM delivery WHERE message_id = ?",
                waiting)).isBefore(Instant.now().plusSeconds(1)));
        assertEquals("t", StoreFixtures.queryOne("SELECT (next_attempt_at > now() + interval '30 minutes')::text FROM delivery"
                + " WHERE message_id = ?", busy).substring(0, 1));
        given().auth().oauth2(TestKeys.operator()).post("/api/v1/queue/destinations/nothing.queue.test:25/flush").then()
                .statusCode(404).contentType("application/problem+json");
    }

    @Test
    void removingAMessageFailsItsPendingRecipientsNamingTheKeyAndDropsItsBytes() throws Exception {
        String hop = "remove.queue.test:25";
        String id = queued(T0, "a@example.test", "b@example.test");
        deferred(id, "a@example.test", hop, "451 later");
        deferred(id, "b@example.test", hop, "451 later");

        given().auth().oauth2(TestKeys.operator()).delete("/api/v1/queue/messages/" + id).then().statusCode(200)
                .body("recipientsRemoved", equalTo(2));

        given().auth().oauth2(TestKeys.viewer()).get("/api/v1/queue/messages/" + id).then().statusCode(200)
                .body("deliveries.state", equalTo(List.of("FAILED", "FAILED")))
                .body("deliveries[0].lastReply", equalTo("removed from the queue by test-operator"))
                .body("bytesKept", equalTo(false));
        given().auth().oauth2(TestKeys.viewer()).get("/api/v1/queue/messages/" + id + "/raw").then().statusCode(404);
        given().auth().oauth2(TestKeys.viewer()).get("/api/v1/queue/destinations").then()
                .body("destination", not(hasItem(hop)));
        given().auth().oauth2(TestKeys.operator()).delete("/api/v1/queue/messages/" + id).then().statusCode(404);
    }

    @Test
    void aMessageBeingDeliveredIsNotRemoved() throws Exception {
        String hop = "busy.queue.test:25";
        String id = queued(T0, "a@example.test");
        StoreFixtures.delivery(id, "a@example.test", hop, "DEFERRED", 2, T0, "451 later", Instant.now().plusSeconds(600));

        given().auth().oauth2(TestKeys.operator()).delete("/api/v1/queue/messages/" + id).then().statusCode(409)
                .contentType("application/problem+json");

        assertEquals("DEFERRED", StoreFixtures.queryOne("SELECT state FROM delivery WHERE message_id = ?", id));
    }

    @Test
    void removingADestinationLeavesOnlyWhatIsBeingDelivered() throws Exception {
        String hop = "flood.queue.test:25";
        for (int i = 0; i < 3; i++) {
            String id = queued(T0.plusSeconds(i), "r@example.test");
            deferred(id, "r@example.test", hop, "451 later");
        }
        String busy = queued(T0, "b@example.test");
        StoreFixtures.delivery(busy, "b@example.test", hop, "DEFERRED", 2, T0, "451 later", Instant.now().plusSeconds(600));
        String elsewhere = queued(T0, "c@example.test");
        deferred(elsewhere, "c@example.test", "other.queue.test:25", "451 later");

        given().auth().oauth2(TestKeys.operator()).delete("/api/v1/queue/destinations/" + hop).then().statusCode(200)
                .body("target", equalTo(hop)).body("recipientsRemoved", equalTo(3)).body("messages", equalTo(3))
                .body("stillPending", equalTo(1));

        assertEquals(1, destination(hop).getInt("deferred"));
        assertEquals(1, destination("other.queue.test:25").getInt("deferred"));
        given().auth().oauth2(TestKeys.operator()).delete("/api/v1/queue/destinations/nothing.queue.test:25").then()
                .statusCode(404).contentType("application/problem+json");
    }
}
