package org.mailgateway.admin.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mailgateway.contracts.MessageIds;

/**
 * Search, preview, download, release, delete and bulk actions over a real mail store (addresses 192.0.2.0/24: the
 * filter table's messages in 192.0.2.0/26, each other test its own address above).
 */
@QuarkusTest
@WithTestResource(MailStoreResource.class)
class QuarantineSearchIT {

    private static final Instant T0 = Instant.parse("2026-10-01T08:00:00Z");
    private static final byte[] PLAIN = "Subject: hi\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII);
    /** name → id of the messages the filter table refers to. */
    private static final Map<String, String> IDS = new java.util.HashMap<>();

    @BeforeAll
    static void quarantine() throws Exception {
        // name, minute, ip, helo, sender, recipients, score, rules
        add("a", 0, "192.0.2.1", "love-1.example", "x@spam.example", List.of("info@example.test"), 6, "HELO_ROTATION", "6");
        add("b", 1, "192.0.2.1", "love-2.example", "y@spam.example", List.of("sales@example.test", "info@example.test"), 12,
                "HELO_ROTATION", "6", "RELAY_ATTEMPTS", "6");
        add("c", 2, "192.0.2.9", "mail.friend.example", "ann@friend.example", List.of("bob@example.test"), 5.5, "DNSBL", "5.5");
        add("d", 3, "192.0.2.40", "[192.0.2.40]", "", List.of("postmaster@example.test"), 1000, "GTUBE", "1000");
    }

    private static void add(String name, int minute, String ip, String helo, String sender, List<String> recipients, double score,
            String... hits) throws Exception {
        String id = MessageIds.next();
        IDS.put(name, id);
        StoreFixtures.insert(new StoreFixtures.Mail(id, T0.plus(minute, ChronoUnit.MINUTES), ip, helo, sender, recipients,
                "QUARANTINE", score, StoreFixtures.hits(hits), PLAIN));
    }

    private static Set<String> names(JsonPath page) {
        Set<String> names = new HashSet<>();
        for (String id : page.<String>getList("items.id")) {
            IDS.forEach((name, known) -> {
                if (known.equals(id)) {
                    names.add(name);
                }
            });
        }
        return names;
    }

    @ParameterizedTest(name = "{0}={1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "ip        | 192.0.2.0/26             | a b c d",
        "ip        | 192.0.2.1                | a b",
        "ip        | 192.0.2.32/27            | d",
        "helo      | LOVE-                    | a b",
        "helo      | friend                   | c",
        "sender    | @spam.example            | a b",
        "recipient | info@                    | a b",
        "recipient | POSTMASTER@example.test  | d",
        "rule      | HELO_ROTATION            | a b",
        "rule      | RELAY_ATTEMPTS           | b",
        "rule      | RELAY                    | ''",
        "minScore  | 6                        | a b d",
        "minScore  | 100.5                    | d",
        "since     | 2026-10-01T08:02:00Z     | c d",
        "until     | 2026-10-01T08:02:00Z     | a b",
    })
    void eachFilterSelects(String parameter, String value, String expected) {
        // the messages above, and only those: 192.0.2.0/26 unless the row filters by ip itself
        JsonPath page = given().auth().oauth2(TestKeys.viewer()).queryParam("ip", parameter.equals("ip") ? value : "192.0.2.0/26")
                .queryParams(parameter.equals("ip") ? Map.of() : Map.of(parameter, value))
                .get("/api/v1/quarantine").then().statusCode(200).extract().jsonPath();

        Set<String> want = expected.isBlank() ? Set.of() : Set.of(expected.split(" "));
        assertEquals(want, names(page));
    }

    @Test
    void filtersCombineAndTheNewestComesFirst() {
        JsonPath page = given().auth().oauth2(TestKeys.viewer()).queryParam("ip", "192.0.2.0/26").queryParam("minScore", "6")
                .queryParam("since", "2026-10-01T08:01:00Z").get("/api/v1/quarantine").then().statusCode(200).extract().jsonPath();

        assertEquals(List.of(IDS.get("d"), IDS.get("b")), page.getList("items.id"));
    }

    @Test
    void aPageNeverRepeatsOrSkipsWhenNewMailArrivesBetweenPages() throws Exception {
        String ip = "192.0.2.200";
        List<String> older = new ArrayList<>();
        Instant base = Instant.parse("2026-10-02T08:00:00Z");
        for (int i = 0; i < 5; i++) {
            String id = MessageIds.next();
            older.add(0, id);
            StoreFixtures.insert(new StoreFixtures.Mail(id, base.plusSeconds(i), ip, "h", "s@x.example", List.of("r@example.test"),
                    "QUARANTINE", 9, StoreFixtures.hits("X", "9"), PLAIN));
        }
        JsonPath first = given().auth().oauth2(TestKeys.viewer()).queryParam("ip", ip).queryParam("limit", 2)
                .get("/api/v1/quarantine").then().statusCode(200).extract().jsonPath();
        // two newer messages and one with the very same time as the last one shown arrive meanwhile
        for (int i = 0; i < 2; i++) {
            StoreFixtures.insert(new StoreFixtures.Mail(MessageIds.next(), base.plusSeconds(100 + i), ip, "h", "s@x.example",
                    List.of("r@example.test"), "QUARANTINE", 9, StoreFixtures.hits("X", "9"), PLAIN));
        }
        List<String> seen = new ArrayList<>(first.getList("items.id"));
        String cursor = first.getString("nextCursor");
        while (cursor != null) {
            JsonPath page = given().auth().oauth2(TestKeys.viewer()).queryParam("ip", ip).queryParam("limit", 2)
                    .queryParam("cursor", cursor).get("/api/v1/quarantine").then().statusCode(200).extract().jsonPath();
            seen.addAll(page.getList("items.id"));
            cursor = page.getString("nextCursor");
        }

        assertEquals(older, seen);
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "limit     | 0",
        "limit     | 501",
        "ip        | example.org",
        "ip        | 192.0.2.0/33",
        "minScore  | lots",
        "minScore  | NaN",
        "since     | yesterday",
        "until     | 2026-13-01T00:00:00Z",
        "cursor    | bm9wZQ",
    })
    void anInputOutOfBoundsIsAProblemNamingIt(String parameter, String value) {
        given().auth().oauth2(TestKeys.viewer()).queryParam(parameter, value).get("/api/v1/quarantine").then().statusCode(400)
                .contentType("application/problem+json").body("detail", startsWith(parameter + ":"));
    }

    @Test
    void aTooLongFilterIsAProblemNamingIt() {
        for (String parameter : List.of("helo", "sender", "recipient", "rule")) {
            given().auth().oauth2(TestKeys.viewer()).queryParam(parameter, "x".repeat(257)).get("/api/v1/quarantine").then()
                    .statusCode(400).contentType("application/problem+json").body("detail", startsWith(parameter + ":"));
        }
    }

    @Test
    void thePreviewDecodesEachPartAndNeverCarriesHtml() throws Exception {
        String html = "<html><head><title>t</title><style>p{}</style></head><body><p>Caf&eacute; &amp; <b>cr&#232;me</b></p>"
                + "<script>alert('x')</script><img src=\"http://tracker.example/p.gif\">Bye</body></html>";
        String raw = "Subject: =?UTF-8?Q?Caf=C3=A9?=\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\"B1\"\r\n\r\n"
                + "--B1\r\nContent-Type: multipart/alternative; boundary=\"B2\"\r\n\r\n"
                + "--B2\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
                + "Caf=E9 cr=E8me, soft line=\r\n break\r\n"
                + "--B2\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + Base64.getMimeEncoder().encodeToString(html.getBytes(StandardCharsets.UTF_8)) + "\r\n"
                + "--B2--\r\n"
                + "--B1\r\nContent-Type: application/pdf; name=\"invoice.pdf\"\r\nContent-Disposition: attachment; filename=\"invoice.pdf\"\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--B1--\r\n";
        String id = MessageIds.next();
        StoreFixtures.insert(new StoreFixtures.Mail(id, T0, "192.0.2.201", "h", "s@x.example", List.of("r@example.test"),
                "QUARANTINE", 9, StoreFixtures.hits("X", "9"), raw.getBytes(StandardCharsets.US_ASCII)));

        JsonPath message = given().auth().oauth2(TestKeys.viewer()).get("/api/v1/quarantine/" + id).then().statusCode(200)
                .body("headers.find { it.name == 'Subject' }.value", equalTo("=?UTF-8?Q?Caf=C3=A9?="))
                .body("previewIncomplete", equalTo(false))
                .extract().jsonPath();

        assertEquals(List.of("text/plain", "text/html", "application/pdf"), message.getList("parts.contentType"));
        assertEquals("Café crème, soft line break", message.getString("parts[0].text"));
        String htmlText = message.getString("parts[1].text");
        assertEquals("Café & crème\nBye", htmlText);
        assertFalse(htmlText.contains("<") || htmlText.contains("alert") || htmlText.contains("tracker"), htmlText);
        assertEquals("invoice.pdf", message.getString("parts[2].filename"));
        assertEquals(null, message.getString("parts[2].text"));
        assertEquals(9, message.getInt("parts[2].size"));
    }

    @Test
    void aLongMessageIsPreviewedFromItsStartAndDownloadedWhole() throws Exception {
        // more than the 1 MiB preview window and several 256 KiB download chunks
        StringBuilder body = new StringBuilder("Subject: long\r\nContent-Type: text/plain\r\n\r\n");
        for (int i = 0; body.length() < 1_300_000; i++) {
            body.append("line ").append(i).append(" of a long message\r\n");
        }
        byte[] raw = body.toString().getBytes(StandardCharsets.US_ASCII);
        String id = MessageIds.next();
        StoreFixtures.insert(new StoreFixtures.Mail(id, T0, "192.0.2.202", "h", "s@x.example", List.of("r@example.test"),
                "QUARANTINE", 9, StoreFixtures.hits("X", "9"), raw));

        given().auth().oauth2(TestKeys.viewer()).get("/api/v1/quarantine/" + id).then().statusCode(200)
                .body("previewIncomplete", equalTo(true)).body("parts[0].textCut", equalTo(true))
                .body("parts[0].text.length()", equalTo(20_000)).body("parts[0].text", startsWith("line 0 of a long message"));
        Response download = given().auth().oauth2(TestKeys.viewer()).get("/api/v1/quarantine/" + id + "/raw").then().statusCode(200)
                .contentType("message/rfc822").header("Content-Disposition", "attachment; filename=\"" + id + ".eml\"")
                .extract().response();
        assertArrayEquals(raw, download.asByteArray());
    }

    @Test
    void rawOfAnUnknownMessageIsAProblem() {
        given().auth().oauth2(TestKeys.viewer()).get("/api/v1/quarantine/" + MessageIds.next() + "/raw").then().statusCode(404)
                .contentType("application/problem+json");
    }

    @Test
    void releaseQueuesEveryRecipientOnceAndNamesTheKey() throws Exception {
        String id = MessageIds.next();
        StoreFixtures.insert(new StoreFixtures.Mail(id, T0, "192.0.2.203", "h", "s@x.example",
                List.of("a@example.test", "b@example.test"), "QUARANTINE", 9, StoreFixtures.hits("X", "9"), PLAIN));

        given().auth().oauth2(TestKeys.operator()).post("/api/v1/quarantine/" + id + "/release").then().statusCode(200)
                .body("id", equalTo(id)).body("recipientsQueued", equalTo(2));
        given().auth().oauth2(TestKeys.operator()).post("/api/v1/quarantine/" + id + "/release").then().statusCode(404)
                .contentType("application/problem+json");

        given().auth().oauth2(TestKeys.viewer()).get("/api/v1/quarantine/" + id).then().statusCode(404);
        given().auth().oauth2(TestKeys.viewer()).queryParam("ip", "192.0.2.203").get("/api/v1/quarantine").then()
                .body("items.id", not(org.hamcrest.Matchers.hasItem(id)));
        assertEquals("test-operator", StoreFixtures.queryOne("SELECT released_by FROM message WHERE id = ?", id));
        assertEquals("2", StoreFixtures.queryOne("SELECT count(*) FROM delivery WHERE message_id = ? AND state = 'QUEUED'", id));
    }

    @Test
    void deleteRemovesTheMessage() throws Exception {
        String id = MessageIds.next();
        StoreFixtures.insert(new StoreFixtures.Mail(id, T0, "192.0.2.204", "h", "s@x.example", List.of("a@example.test"),
                "QUARANTINE", 9, StoreFixtures.hits("X", "9"), PLAIN));

        given().auth().oauth2(TestKeys.operator()).delete("/api/v1/quarantine/" + id).then().statusCode(204);

        given().auth().oauth2(TestKeys.viewer()).get("/api/v1/quarantine/" + id + "/raw").then().statusCode(404);
        given().auth().oauth2(TestKeys.operator()).delete("/api/v1/quarantine/" + id).then().statusCode(404);
        assertEquals(null, StoreFixtures.queryOne("SELECT id FROM message WHERE id = ?", id));
    }

    @Test
    void bulkCountsFirstThenActsOnExactlyWhatTheFilterSelects() throws Exception {
        String ip = "192.0.2.210";
        List<String> flood = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String id = MessageIds.next();
            flood.add(id);
            StoreFixtures.insert(new StoreFixtures.Mail(id, T0.plusSeconds(i), ip, "h", "s@x.example", List.of("a@example.test"),
                    "QUARANTINE", 9, StoreFixtures.hits("FLOOD", "9"), PLAIN));
        }
        String keep = MessageIds.next();
        StoreFixtures.insert(new StoreFixtures.Mail(keep, T0, ip, "h", "s@x.example", List.of("a@example.test"),
                "QUARANTINE", 9, StoreFixtures.hits("OTHER", "9"), PLAIN));
        String filter = "{\"filter\": {\"ip\": \"" + ip + "\", \"rule\": \"FLOOD\"}, \"action\": \"delete\"";

        given().auth().oauth2(TestKeys.operator()).contentType("application/json").body(filter + "}")
                .post("/api/v1/quarantine/bulk").then().statusCode(200)
                .body("dryRun", equalTo(true)).body("matched", equalTo(3)).body("affected", equalTo(0));
        assertEquals("4", StoreFixtures.queryOne("SELECT count(*) FROM message WHERE client_ip = ?::inet", ip));

        given().auth().oauth2(TestKeys.operator()).contentType("application/json").body(filter + ", \"dryRun\": false}")
                .post("/api/v1/quarantine/bulk").then().statusCode(200)
                .body("dryRun", equalTo(false)).body("matched", equalTo(3)).body("affected", equalTo(3));
        assertEquals(keep, StoreFixtures.queryOne("SELECT string_agg(id, ',') FROM message WHERE client_ip = ?::inet", ip));

        JsonPath audit = given().auth().oauth2(TestKeys.admin()).queryParam("key", "test-operator")
                .queryParam("action", "/api/v1/quarantine/bulk").queryParam("limit", 1).get("/api/v1/audit").then().statusCode(200)
                .extract().jsonPath();
        assertEquals("POST /api/v1/quarantine/bulk", audit.getString("items[0].action"));
        assertEquals(ip, audit.getString("items[0].target.body.filter.ip"));
        assertEquals(false, audit.getBoolean("items[0].target.body.dryRun"));
    }

    @Test
    void bulkReleaseQueuesTheRecipients() throws Exception {
        String ip = "192.0.2.211";
        for (int i = 0; i < 2; i++) {
            StoreFixtures.insert(new StoreFixtures.Mail(MessageIds.next(), T0.plusSeconds(i), ip, "h", "s@x.example",
                    List.of("a@example.test", "b@example.test"), "QUARANTINE", 9, StoreFixtures.hits("X", "9"), PLAIN));
        }

        given().auth().oauth2(TestKeys.operator()).contentType("application/json")
                .body("{\"filter\": {\"ip\": \"" + ip + "\"}, \"action\": \"release\", \"dryRun\": false}")
                .post("/api/v1/quarantine/bulk").then().statusCode(200)
                .body("matched", equalTo(2)).body("affected", equalTo(2)).body("recipientsQueued", equalTo(4));
        assertEquals("RELEASED", StoreFixtures.queryOne(
                "SELECT string_agg(DISTINCT action, ',') FROM message WHERE client_ip = ?::inet", ip));
    }

    @Test
    void aBulkActionOverTheBoundIsRefusedAndTouchesNothing() throws Exception {
        // the test profile bounds a bulk action at 5 messages
        String ip = "192.0.2.212";
        for (int i = 0; i < 6; i++) {
            StoreFixtures.insert(new StoreFixtures.Mail(MessageIds.next(), T0.plusSeconds(i), ip, "h", "s@x.example",
                    List.of("a@example.test"), "QUARANTINE", 9, StoreFixtures.hits("X", "9"), PLAIN));
        }

        given().auth().oauth2(TestKeys.operator()).contentType("application/json")
                .body("{\"filter\": {\"ip\": \"" + ip + "\"}, \"action\": \"delete\", \"dryRun\": false}")
                .post("/api/v1/quarantine/bulk").then().statusCode(400).contentType("application/problem+json")
                .body("detail", allOf(startsWith("filter:"), containsString("more than 5")));
        assertEquals("6", StoreFixtures.queryOne("SELECT count(*) FROM message WHERE client_ip = ?::inet", ip));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{\"filter\": {}, \"action\": \"purge\"}                          | action:",
        "{\"filter\": {\"ip\": \"nope\"}, \"action\": \"delete\"}          | ip:",
        "{\"filter\": {\"minScore\": \"x\"}, \"action\": \"delete\"}       | minScore:",
    })
    void aBadBulkRequestIsAProblemNamingTheField(String body, String field) {
        given().auth().oauth2(TestKeys.operator()).contentType("application/json").body(body)
                .post("/api/v1/quarantine/bulk").then().statusCode(400).contentType("application/problem+json")
                .body("detail", startsWith(field));
    }

    private static org.hamcrest.Matcher<String> allOf(org.hamcrest.Matcher<String> a, org.hamcrest.Matcher<String> b) {
        return org.hamcrest.Matchers.allOf(a, b);
    }

    @Test
    void onlyQuarantinedMailIsShown() throws Exception {
        String id = MessageIds.next();
        StoreFixtures.insert(new StoreFixtures.Mail(id, T0, "192.0.2.205", "h", "s@x.example", List.of("a@example.test"),
                "DELIVER", 0, "[]", PLAIN));
        given().auth().oauth2(TestKeys.viewer()).get("/api/v1/quarantine/" + id).then().statusCode(404);
        given().auth().oauth2(TestKeys.viewer()).get("/api/v1/quarantine/" + id + "/raw").then().statusCode(404);
        given().auth().oauth2(TestKeys.operator()).delete("/api/v1/quarantine/" + id).then().statusCode(404);
        assertTrue(StoreFixtures.queryOne("SELECT id FROM message WHERE id = ?", id) != null);
    }
}
