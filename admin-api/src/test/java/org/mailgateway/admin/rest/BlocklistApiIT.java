package org.mailgateway.admin.rest;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.mailgateway.contracts.BlockEntry;
import org.mailgateway.contracts.Cidr;
import org.mailgateway.contracts.ContractJson;
import org.mailgateway.contracts.RuleHit;
import org.mailgateway.contracts.SessionSummary;
import org.mailgateway.contracts.Topics;
import org.mailgateway.localstack.testing.EmbeddedInfrastructure;
import org.mailgateway.localstack.testing.TopicReader;

/** The block and allow lists over a real Kafka (policy.blocklist, smtp.sessions) and a real mail store. */
@QuarkusTest
@WithTestResource(MailStoreResource.class)
class BlocklistApiIT {

    private static final Duration KAFKA = Duration.ofSeconds(60);

    private static RequestSpecification api() throws Exception {
        return given().auth().oauth2(TestKeys.operator()).urlEncodingEnabled(false);
    }

    private static String json(String cidr, String reason, String expires) {
        return "{\"cidr\":\"" + cidr + "\",\"reason\":\"" + reason + "\"" + (expires == null ? "" : ",\"expires\":\"" + expires + "\"") + "}";
    }

    private static BlockEntry awaitEntryOnTopic(String key, java.util.function.Predicate<BlockEntry> wanted) {
        ConsumerRecord<String, byte[]> record = TopicReader.awaitRecord(EmbeddedInfrastructure.kafkaBootstrapServers(),
                Topics.POLICY_BLOCKLIST, r -> key.equals(r.key()) && r.value() != null
                        && wanted.test(ContractJson.read(r.value(), BlockEntry.class)), KAFKA);
        return ContractJson.read(record.value(), BlockEntry.class);
    }

    @Test
    void anOperatorsBlockIsPublishedToPolicyBlocklistAndListedAtOnce() throws Exception {
        Instant before = Instant.now();
        api().contentType(ContentType.JSON).body(json("203.0.113.0/24", "relay probing from this range", "P1D"))
                .post("/api/v1/blocklist").then().statusCode(201)
                .body("cidr", equalTo("203.0.113.0/24")).body("kind", equalTo("BLOCK")).body("source", equalTo("ADMIN"))
                .body("createdBy", equalTo("test-operator")).body("active", equalTo(true)).body("expiresAt", notNullValue());

        // read-your-writes: listed in the answer to the very next call
        api().get("/api/v1/blocklist").then().statusCode(200)
                .body("find { it.cidr == '203.0.113.0/24' }.reason", equalTo("relay probing from this range"));

        BlockEntry published = awaitEntryOnTopic("203.0.113.0/24", e -> e.reason().equals("relay probing from this range"));
        assertEquals(BlockEntry.Kind.BLOCK, published.kind());
        assertEquals(BlockEntry.Source.ADMIN, published.source());
        assertEquals("test-operator", published.createdBy());
        assertTrue(!published.createdAt().isBefore(before.truncatedTo(ChronoUnit.MILLIS)));
        Instant expected = published.createdAt().plus(Duration.ofDays(1));
        assertEquals(expected, published.expiresAt());
        // and the change is in the audit log: who asked, what, the result
        given().auth().oauth2(TestKeys.admin()).queryParam("key", "test-operator").queryParam("action", "POST /api/v1/blocklist")
                .get("/api/v1/audit").then().statusCode(200)
                .body("items.find { it.target.body.cidr == '203.0.113.0/24' }.status", equalTo(201))
                .body("items.find { it.target.body.cidr == '203.0.113.0/24' }.role", equalTo("operator"))
                .body("items.find { it.target.body.cidr == '203.0.113.0/24' }.target.body.reason",
                        equalTo("relay probing from this range"));
    }

    @Test
    void theOpenApiDocumentDescribesTheListsWithAnExample() {
        given().get("/q/openapi").then().statusCode(200)
                .body(containsString("/api/v1/blocklist/export")).body(containsString("/api/v1/allowlist"))
                .body(containsString("/api/v1/clients/{ip}")).body(containsString("relay probing from a dial-up range"));
    }

    @Test
    void aViewerMayReadTheListsButNotChangeThem() throws Exception {
        given().auth().oauth2(TestKeys.viewer()).get("/api/v1/blocklist").then().statusCode(200);
        given().auth().oauth2(TestKeys.viewer()).contentType(ContentType.JSON).body(json("192.0.2.240/32", "x", null))
                .post("/api/v1/blocklist").then().statusCode(403).contentType("application/problem+json");
        given().auth().oauth2(TestKeys.viewer()).delete("/api/v1/blocklist/203.0.113.0_24").then().statusCode(403);
        api().get("/api/v1/blocklist").then().body("cidr", not(hasItem("192.0.2.240/32")));
    }

    @Test
    void invalidRangesAreA400ThatNamesTheProblem() throws Exception {
        Map<String, String> cases = Map.of(
                json("10.0.0.5/24", "x", null), "the network is 10.0.0.0/24",
                json("10.0.0.0/33", "x", null), "prefix length 33 is longer than 32",
                json("mail.example.org", "x", null), "is not an IPv4 address",
                json("2001:db8::g/64", "x", null), "is not an IPv6 address",
                json("0.0.0.0/0", "x", null), "would cover every address",
                json("10.0.0.0/8", "", null), "reason: required",
                json("10.0.0.0/8", "x", "tomorrow"), "expires:",
                "{}", "cidr: required");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            api().contentType(ContentType.JSON).body(c.getKey()).post("/api/v1/blocklist").then().statusCode(400)
                    .contentType("application/problem+json").body("status", equalTo(400))
                    .body("detail", containsString(c.getValue()));
        }
        api().contentType(ContentType.JSON).body("not json").post("/api/v1/blocklist").then().statusCode(400)
                .contentType("application/problem+json");
    }

    @Test
    void anIpv6BlockIsRemovedWithAnEncodedSlashAndATombstoneFollows() throws Exception {
        String cidr = Cidr.parse("2001:db8:abcd::/48").toString();
        api().contentType(ContentType.JSON).body(json("2001:db8:abcd::/48", "abuse", "PT2H")).post("/api/v1/blocklist")
                .then().statusCode(201).body("cidr", equalTo(cidr));

        api().delete("/api/v1/blocklist/2001:db8:abcd::%2F48").then().statusCode(204);
        given().auth().oauth2(TestKeys.admin()).queryParam("action", "DELETE /api/v1/blocklist/{cidr}").get("/api/v1/audit").then()
                .statusCode(200).body("items.find { it.target.cidr == '2001:db8:abcd::/48' }.status", equalTo(204));

        api().get("/api/v1/blocklist?all=true").then().statusCode(200).body("cidr", not(hasItem(cidr)));
        ConsumerRecord<String, byte[]> tombstone = TopicReader.awaitRecord(EmbeddedInfrastructure.kafkaBootstrapServers(),
                Topics.POLICY_BLOCKLIST, r -> cidr.equals(r.key()) && r.value() == null, KAFKA);
        assertNull(tombstone.value());
    }

    @Test
    void aRangeCanAlsoBeNamedWithAnUnderscoreOrAQueryParameter() throws Exception {
        for (String cidr : List.of("192.0.2.16/28", "192.0.2.32/28")) {
            api().contentType(ContentType.JSON).body(json(cidr, "test", null)).post("/api/v1/blocklist").then().statusCode(201);
        }
        api().delete("/api/v1/blocklist/192.0.2.16_28").then().statusCode(204);
        api().delete("/api/v1/blocklist?cidr=192.0.2.32%2F28").then().statusCode(204);

        api().get("/api/v1/blocklist").then().body("cidr", not(hasItem("192.0.2.16/28"))).body("cidr", not(hasItem("192.0.2.32/28")));
        api().delete("/api/v1/blocklist/192.0.2.16_28").then().statusCode(404).contentType("application/problem+json")
                .body("detail", equalTo("no block entry for 192.0.2.16/28"));
        api().delete("/api/v1/blocklist/not-a-range").then().statusCode(400).body("detail", containsString("cidr:"));
    }

    @Test
    void theAllowListIsSeparateAndAnAllowIsNotRemovedAsABlock() throws Exception {
        api().contentType(ContentType.JSON).body(json("198.18.0.0/15", "our benchmark network", null))
                .post("/api/v1/allowlist").then().statusCode(201).body("kind", equalTo("ALLOW")).body("expiresAt", equalTo(null));

        api().get("/api/v1/allowlist").then().statusCode(200).body("cidr", hasItem("198.18.0.0/15"));
        api().get("/api/v1/blocklist").then().statusCode(200).body("cidr", not(hasItem("198.18.0.0/15")));
        api().delete("/api/v1/blocklist/198.18.0.0_15").then().statusCode(404)
                .body("detail", containsString("its entry is a allow entry"));
        awaitEntryOnTopic("198.18.0.0/15", e -> e.kind() == BlockEntry.Kind.ALLOW);

        api().delete("/api/v1/allowlist/198.18.0.0%2F15").then().statusCode(204);
        api().get("/api/v1/allowlist").then().body("cidr", not(hasItem("198.18.0.0/15")));
    }

    @Test
    void policyEntriesAreListedWithTheirHitsAndExpiredOnesOnlyOnRequest() throws Exception {
        Instant now = Instant.now();
        BlockEntry active = new BlockEntry("100.70.0.9/32", BlockEntry.Kind.BLOCK, BlockEntry.Source.POLICY,
                "12 relay attempts in 10 minutes", List.of(new RuleHit("RELAY_ATTEMPTS", 12, "12 relay attempts")),
                now.minusSeconds(60), now.plus(Duration.ofHours(1)), 2, "policy-1");
        BlockEntry expired = new BlockEntry("100.70.0.10/32", BlockEntry.Kind.BLOCK, BlockEntry.Source.POLICY,
                "HELO rotation", List.of(), now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1)), 1, "policy-1");
        Fixtures.produce(Topics.POLICY_BLOCKLIST, active.cidr(), active);
        Fixtures.produce(Topics.POLICY_BLOCKLIST, expired.cidr(), expired);
        SessionSummary refused = new SessionSummary("S1", "ingress-1", "100.70.0.9", now, now, List.of(), null, null,
                List.of(), 0, 0, 0, 0, 0, 0, SessionSummary.End.BLOCKED);
        Fixtures.produce(Topics.SMTP_SESSIONS, "100.70.0.9", refused, refused, refused);

        await().atMost(KAFKA).untilAsserted(() -> api().get("/api/v1/blocklist").then().statusCode(200)
                .body("find { it.cidr == '100.70.0.9/32' }.hits", equalTo(3))
                .body("find { it.cidr == '100.70.0.9/32' }.source", equalTo("POLICY"))
                .body("find { it.cidr == '100.70.0.9/32' }.offence", equalTo(2))
                .body("find { it.cidr == '100.70.0.9/32' }.ruleHits[0].rule", equalTo("RELAY_ATTEMPTS")));
        api().get("/api/v1/blocklist").then().body("cidr", not(hasItem("100.70.0.10/32")));
        api().get("/api/v1/blocklist?all=true").then()
                .body("find { it.cidr == '100.70.0.10/32' }.active", equalTo(false));
    }

    @Test
    void theExportHasOnlyActiveBlocksInTheAskedFormat() throws Exception {
        api().contentType(ContentType.JSON).body(json("192.0.2.200/32", "export test", "PT1H")).post("/api/v1/blocklist")
                .then().statusCode(201);
        api().contentType(ContentType.JSON).body(json("2001:db8:eeee::/48", "export test", null)).post("/api/v1/blocklist")
                .then().statusCode(201);
        api().contentType(ContentType.JSON).body(json("192.0.2.201/32", "allowed, not exported", null)).post("/api/v1/allowlist")
                .then().statusCode(201);
        String v6 = Cidr.parse("2001:db8:eeee::/48").toString();

        String plain = api().get("/api/v1/blocklist/export").then().statusCode(200).contentType(ContentType.TEXT)
                .extract().asString();
        assertTrue(plain.contains("\n192.0.2.200/32\n") && plain.contains("\n" + v6 + "\n"), plain);
        assertTrue(!plain.contains("192.0.2.201"), plain);
        api().get("/api/v1/blocklist/export?format=nftables").then().statusCode(200)
                .body(containsString("add element inet mailgateway blocked_ipv4 {"))
                .body(containsString("192.0.2.200/32")).body(containsString(v6));
        api().get("/api/v1/blocklist/export?format=ipset").then().statusCode(200)
                .body(containsString("add mailgateway-blocked-v4 192.0.2.200/32\n"))
                .body(containsString("add mailgateway-blocked-v6 " + v6 + "\n"));
        api().get("/api/v1/blocklist/export?format=iptables").then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("plain, nftables or ipset"));
    }

    @Test
    void theImpactPreviewShowsTheInnocentBeforeABlock() throws Exception {
        Instant now = Instant.now();
        try (Connection c = Fixtures.mailStore()) {
            for (int i = 0; i < 3; i++) {
                Fixtures.message(c, now.minus(Duration.ofHours(i + 1)), "100.64.7." + (i + 1), "alice@Good.example", "DELIVER", 0, "[]");
            }
            Fixtures.message(c, now.minus(Duration.ofDays(2)), "100.64.7.4", "bob@other.example", "DELIVER", 1, "[]");
            Fixtures.message(c, now.minus(Duration.ofDays(1)), "100.64.7.4", "", "RELEASED", 7, "[]");
            Fixtures.message(c, now.minus(Duration.ofHours(3)), "100.64.7.5", "x@spam.example", "QUARANTINE", 20, "[]");
            Fixtures.message(c, now.minus(Duration.ofHours(4)), "100.64.7.5", "y@spam.example", "QUARANTINE", 20, "[]");
            Fixtures.message(c, now.minus(Duration.ofDays(30)), "100.64.7.6", "old@good.example", "DELIVER", 0, "[]");
            Fixtures.message(c, now.minus(Duration.ofHours(1)), "100.64.8.1", "outside@good.example", "DELIVER", 0, "[]");
        }
        SessionSummary probe = new SessionSummary("S2", "ingress-1", "100.64.7.200", now, now, List.of("x.example"), null,
                null, List.of(), 3, 0, 0, 0, 3, 0, SessionSummary.End.QUIT);
        Fixtures.produce(Topics.SMTP_SESSIONS, "100.64.7.200", probe, probe);
        await().atMost(KAFKA).untilAsserted(() -> api().get("/api/v1/blocklist/impact?cidr=100.64.7.0%2F24&days=7").then()
                .body("sessions.sessions", equalTo(2)));

        api().get("/api/v1/blocklist/impact?cidr=100.64.7.0%2F24&days=7").then().statusCode(200)
                .body("cidr", equalTo("100.64.7.0/24")).body("days", equalTo(7))
                .body("delivered", equalTo(5)).body("quarantined", equalTo(2)).body("released", equalTo(1))
                .body("addresses", equalTo(5))
                .body("senderDomains[0].domain", equalTo("good.example")).body("senderDomains[0].delivered", equalTo(3))
                .body("senderDomains.find { it.domain == 'spam.example' }.quarantined", equalTo(2))
                .body("senderDomains.find { it.domain == '' }.delivered", equalTo(1))
                .body("sessions.relayAttempts", equalTo(6)).body("sessions.addresses", equalTo(1));
        api().get("/api/v1/blocklist/impact?cidr=100.64.7.0%2F24&days=60").then().statusCode(200).body("delivered", equalTo(6));
        api().get("/api/v1/blocklist/impact?cidr=100.64.7.0%2F23").then().statusCode(400)
                .body("detail", containsString("the network is 100.64.6.0/23"));
        api().get("/api/v1/blocklist/impact?cidr=100.64.7.0%2F24&days=0").then().statusCode(400);
    }
}
