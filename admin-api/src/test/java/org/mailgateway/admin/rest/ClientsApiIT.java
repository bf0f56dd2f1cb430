package org.mailgateway.admin.rest;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mailgateway.admin.messaging.SessionBatch;
import org.mailgateway.admin.messaging.SessionRetention;
import org.mailgateway.admin.store.SessionActivityStore;
import org.mailgateway.contracts.SessionSummary;
import org.mailgateway.contracts.SessionSummary.Auth;
import org.mailgateway.contracts.SessionSummary.End;
import org.mailgateway.contracts.SessionSummary.Refusal;
import org.mailgateway.contracts.SessionSummary.RefusalKind;
import org.mailgateway.contracts.Topics;

/**
 * The client views over what the ingress published to smtp.sessions (read by admin-api's own consumer group)
 * and what queue-service stored. Addresses 100.65.0.x are this class's own.
 */
@QuarkusTest
@WithTestResource(MailStoreResource.class)
class ClientsApiIT {

    private static final Duration KAFKA = Duration.ofSeconds(60);
    private static final String RELAYER = "100.65.0.1";
    private static final String ROTATOR = "100.65.0.2";
    private static final String QUIET = "100.65.0.3";
    private static final Instant NOW = Instant.now();

    private static RequestSpecification api() throws Exception {
        return given().auth().oauth2(TestKeys.operator()).urlEncodingEnabled(false);
    }

    private static SessionSummary session(String ip, Instant at, List<String> helos, int relay, int authFailures, int accepted) {
        List<Refusal> refusals = IntStream.range(0, relay)
                .mapToObj(i -> new Refusal("RCPT", "<v" + i + "@victim.example>", 554, "5.7.1", RefusalKind.RELAY)).toList();
        return new SessionSummary("S-" + ip + "-" + at.toEpochMilli(), "ingress-1", ip, at, at.plusSeconds(2), helos, null,
                new Auth(authFailures, authFailures, false, null), refusals, 0, accepted, 0, accepted, relay, 500, End.QUIT);
    }

    @BeforeAll
    static void traffic() throws Exception {
        // the relayer: 3 sessions, 4 relay attempts each, one HELO name
        Fixtures.produce(Topics.SMTP_SESSIONS, RELAYER,
                session(RELAYER, NOW.minusSeconds(600), List.of("relay.example"), 4, 0, 0),
                session(RELAYER, NOW.minusSeconds(500), List.of("relay.example"), 4, 0, 0),
                session(RELAYER, NOW.minusSeconds(400), List.of("relay.example", "relay.example"), 4, 0, 1));
        // the rotator: a new HELO name every session, failing AUTH
        List<Object> rotating = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            rotating.add(session(ROTATOR, NOW.minusSeconds(300 - i), List.of("love-" + i + ".example"), 0, 3, 0));
        }
        rotating.add(session(ROTATOR, NOW.minusSeconds(100), List.of("love-0.example"), 0, 0, 0));
        Fixtures.produce(Topics.SMTP_SESSIONS, ROTATOR, rotating.toArray());
        Fixtures.produce(Topics.SMTP_SESSIONS, QUIET, session(QUIET, NOW.minusSeconds(50), List.of("mx.quiet.example"), 0, 0, 1));

        try (Connection c = Fixtures.mailStore()) {
            String dnsbl = "[{\"rule\":\"DNSBL\",\"score\":4,\"reason\":\"client " + RELAYER + " is listed in dul.example (127.0.0.2)\"},"
                    + "{\"rule\":\"HELO_NOT_FQDN\",\"score\":1,\"reason\":\"x\"}]";
            String delivered = Fixtures.message(c, NOW.minusSeconds(400), RELAYER, "a@relay.example", "DELIVER", 5, dnsbl);
            Fixtures.delivery(c, delivered, "b@example.test", "DELIVERED");
            Fixtures.delivery(c, delivered, "c@example.test", "DEFERRED");
            Fixtures.message(c, NOW.minusSeconds(390), RELAYER, "a@relay.example", "QUARANTINE", 40, dnsbl);
            Fixtures.message(c, NOW.minusSeconds(40), QUIET, "ok@quiet.example", "DELIVER", 0, "[]");
        }
    }

    private static void awaitSessions(String ip, int sessions) {
        await().atMost(KAFKA).untilAsserted(() -> api().get("/api/v1/clients/" + ip).then().statusCode(200)
                .body("sessions.total", equalTo(sessions)));
    }

    @Test
    void oneClientShowsSessionsRelayAttemptsDnsblHitsAndMessages() throws Exception {
        awaitSessions(RELAYER, 3);

        api().get("/api/v1/clients/" + RELAYER).then().statusCode(200)
                .body("ip", equalTo(RELAYER))
                .body("relayAttempts", equalTo(12)).body("authFailures", equalTo(0))
                .body("sessions.messagesAccepted", equalTo(1)).body("sessions.refusedCommands", equalTo(12))
                .body("heloNames.distinct", equalTo(1))
                .body("heloNames.top[0].name", equalTo("relay.example")).body("heloNames.top[0].sessions", equalTo(3))
                .body("dnsblHits.total", equalTo(2))
                .body("dnsblHits.listings[0].reason", containsString("dul.example"))
                .body("messages.accepted", equalTo(1)).body("messages.quarantined", equalTo(1))
                .body("messages.delivered", equalTo(1)).body("messages.deferred", equalTo(1))
                .body("firstSeen", notNullValue()).body("lastSeen", notNullValue())
                .body("recentHours", hasSize(org.hamcrest.Matchers.greaterThanOrEqualTo(1)))
                .body("access.decision", equalTo("NONE"));
    }

    @Test
    void heloRotationIsCountedPerName() throws Exception {
        awaitSessions(ROTATOR, 11);

        api().get("/api/v1/clients/" + ROTATOR).then().statusCode(200)
                .body("heloNames.distinct", equalTo(10))
                .body("heloNames.top[0].name", equalTo("love-0.example")).body("heloNames.top[0].sessions", equalTo(2))
                .body("authFailures", equalTo(30));
    }

    @Test
    void topOffendersBySortOrder() throws Exception {
        awaitSessions(RELAYER, 3);
        awaitSessions(ROTATOR, 11);
        awaitSessions(QUIET, 1);

        assertOrder("relayAttempts", RELAYER, ROTATOR);
        assertOrder("heloNames", ROTATOR, RELAYER);
        // score: relayer 5 + 40 (verdicts) + 5 x 12 = 105; rotator 2 x 30 = 60; quiet 0
        assertOrder("score", RELAYER, ROTATOR);
        assertOrder("score", ROTATOR, QUIET);
        api().get("/api/v1/clients?sort=score&limit=500").then().statusCode(200)
                .body("clients.find { it.ip == '" + RELAYER + "' }.score", equalTo(105.0f))
                .body("clients.find { it.ip == '" + ROTATOR + "' }.score", equalTo(60.0f))
                .body("score", containsString("relay attempts"));
        // since: an instant after all this traffic leaves none of it
        api().get("/api/v1/clients?sort=score&since=" + NOW.plusSeconds(3600)).then().statusCode(200)
                .body("clients.ip", org.hamcrest.Matchers.not(hasItem(RELAYER)));
    }

    private static void assertOrder(String sort, String first, String second) throws Exception {
        List<String> ips = api().get("/api/v1/clients?sort=" + sort + "&since=PT2H&limit=500").then().statusCode(200)
                .extract().jsonPath().getList("clients.ip");
        assertTrue(ips.indexOf(first) >= 0 && ips.indexOf(first) < ips.indexOf(second),
                () -> sort + ": " + first + " before " + second + " in " + ips);
    }

    @Test
    void aBlockCoveringTheClientIsShownWithItsHistory() throws Exception {
        api().contentType(ContentType.JSON).body("{\"cidr\":\"100.65.0.0/24\",\"reason\":\"relaying\",\"expires\":\"PT1H\"}")
                .post("/api/v1/blocklist").then().statusCode(201);
        api().get("/api/v1/clients/" + QUIET).then().statusCode(200)
                .body("access.decision", equalTo("BLOCKED")).body("access.entries[0].cidr", equalTo("100.65.0.0/24"));
        api().contentType(ContentType.JSON).body("{\"cidr\":\"100.65.0.3\",\"reason\":\"known good\"}")
                .post("/api/v1/allowlist").then().statusCode(201);
        api().get("/api/v1/clients/" + QUIET).then().body("access.decision", equalTo("ALLOWED"))
                .body("access.entries[0].cidr", equalTo("100.65.0.3/32"));

        api().delete("/api/v1/blocklist/100.65.0.0_24").then().statusCode(204);
        api().delete("/api/v1/allowlist/100.65.0.3_32").then().statusCode(204);

        api().get("/api/v1/clients/" + QUIET).then().body("access.decision", equalTo("NONE"));
        // the history is what admin-api read back from the topic: newest first, the removals included
        await().atMost(KAFKA).untilAsserted(() -> api().get("/api/v1/clients/" + QUIET).then()
                .body("history", hasSize(4))
                .body("history.removed", equalTo(List.of(true, true, false, false)))
                .body("history.find { it.kind == 'BLOCK' }.reason", equalTo("relaying"))
                .body("history.find { it.kind == 'ALLOW' }.createdBy", equalTo("test-operator")));
    }

    @Inject
    SessionRetention retention;

    @Test
    void countersOlderThanTheRetentionAreDeleted() throws Exception {
        String old = "100.65.0.9";
        Instant longAgo = NOW.minus(Duration.ofDays(200));
        Fixtures.produce(Topics.SMTP_SESSIONS, old, session(old, longAgo, List.of("old.example"), 1, 0, 0),
                session(old, NOW.minusSeconds(30), List.of("new.example"), 0, 0, 0));
        awaitSessions(old, 2);

        retention.sweep().await().atMost(KAFKA);

        api().get("/api/v1/clients/" + old).then().statusCode(200)
                .body("sessions.total", equalTo(1)).body("relayAttempts", equalTo(0))
                .body("heloNames.top.name", equalTo(List.of("new.example")));
    }

    @Inject
    SessionActivityStore activity;

    @Test
    void aBatchIsCountedOnceEvenWhenAConsumerThatLostItsPartitionStoresItAgain() throws Exception {
        // partition 1000 is no partition of smtp.sessions: this test plays two consumers of one partition
        String ip = "100.65.0.20";
        SessionBatch batch = new SessionBatch();
        batch.add(session(ip, NOW.minusSeconds(10), List.of("twice.example"), 2, 0, 0));
        activity.add(batch.hours(), batch.helos(), Map.of(1000, 0L), Map.of(1000, 1L)).await().atMost(KAFKA);

        assertThrows(SessionActivityStore.AlreadyCounted.class,
                () -> activity.add(batch.hours(), batch.helos(), Map.of(1000, 0L), Map.of(1000, 1L)).await().atMost(KAFKA));
        activity.add(batch.hours(), batch.helos(), Map.of(1000, 1L), Map.of(1000, 2L)).await().atMost(KAFKA);

        api().get("/api/v1/clients/" + ip).then().statusCode(200)
                .body("sessions.total", equalTo(2)).body("relayAttempts", equalTo(4))
                .body("heloNames.top[0].sessions", equalTo(2));
    }

    @Test
    void anUnknownClientIsEmptyNotAnError() throws Exception {
        api().get("/api/v1/clients/2001:db8::99").then().statusCode(200)
                .body("sessions.total", equalTo(0)).body("firstSeen", equalTo(null)).body("heloNames.top", hasSize(0));
    }

    @Test
    void badInputIsA400Problem() throws Exception {
        api().get("/api/v1/clients/mail.example.org").then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("ip:"));
        api().get("/api/v1/clients/10.0.0.0%2F8").then().statusCode(400);
        api().get("/api/v1/clients?sort=fame").then().statusCode(400).body("detail", containsString("score, relayAttempts or heloNames"));
        api().get("/api/v1/clients?since=yesterday").then().statusCode(400).body("detail", containsString("since:"));
        api().get("/api/v1/clients?limit=0").then().statusCode(400);
    }
}
