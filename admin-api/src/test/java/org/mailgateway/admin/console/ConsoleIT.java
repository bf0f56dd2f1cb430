package org.mailgateway.admin.console;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.mailgateway.admin.rest.MailStoreResource;
import org.mailgateway.admin.rest.StoreFixtures;
import org.mailgateway.admin.rest.TestKeys;
import org.mailgateway.admin.security.ApiKeys;
import org.mailgateway.contracts.MessageIds;

/**
 * The console's routes over HTTP, as a browser would use them: login and the cookie, the way back to the login
 * page, what each role sees and may post, the CSRF token, the audit record of a form, escaping of message text.
 * Its messages come from 100.65.2.0/29, which no other test uses (the database is shared).
 */
@QuarkusTest
@WithTestResource(MailStoreResource.class)
class ConsoleIT {

    static final String COOKIE = "mailgateway_console";
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

    /** A logged-in browser: its session cookie and the CSRF token of its pages. */
    record Session(String cookie, String csrf) {
        RequestSpecification request() {
            return given().redirects().follow(false).cookie(COOKIE, cookie);
        }
    }

    static Session login(String key) {
        Response login = given().redirects().follow(false).formParam("key", key).post("/console/login");
        assertEquals(303, login.statusCode(), login.body().asString());
        String cookie = login.getCookie(COOKIE);
        String page = given().cookie(COOKIE, cookie).get("/console/quarantine").then().statusCode(200).extract().asString();
        Matcher csrf = CSRF.matcher(page);
        assertTrue(csrf.find(), "the page has a CSRF token");
        return new Session(cookie, csrf.group(1));
    }

    static String quarantined(String ip, String subjectAndBody) throws Exception {
        String id = MessageIds.next();
        byte[] raw = subjectAndBody.getBytes(StandardCharsets.UTF_8);
        StoreFixtures.insert(new StoreFixtures.Mail(id, Instant.now().minus(1, ChronoUnit.MINUTES), ip, "spam.example",
                "bulk@spam.example", List.of("info@example.test", "sales@example.test"), "QUARANTINE", 12.5,
                StoreFixtures.hits("RELAY_ATTEMPTS", "7.5", "HELO_ROTATION", "5"), raw));
        return id;
    }

    private static JsonPath newestAudit(String key) {
        return given().auth().oauth2(TestKeys.admin()).queryParam("key", key).queryParam("action", "/console/")
                .queryParam("limit", 1).get("/api/v1/audit").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void withoutASessionEveryPageLeadsToTheLoginPage() {
        for (String path : List.of("/console", "/console/quarantine", "/console/queue", "/console/clients", "/console/blocks",
                "/console/charts")) {
            given().redirects().follow(false).get(path).then().statusCode(303).header("Location", endsWith("/console/login"));
        }
        given().redirects().follow(false).cookie(COOKIE, "made-up").get("/console/quarantine").then().statusCode(303)
                .header("Location", endsWith("/console/login"));
        given().get("/console/login").then().statusCode(200).contentType(containsString("text/html"))
                .body(containsString("name=\"key\""));
    }

    @Test
    void aWrongKeyIsRefusedOnTheLoginPage() {
        given().redirects().follow(false).formParam("key", "not-a-key").post("/console/login").then().statusCode(401)
                .body(containsString("not a valid API key")).header("Set-Cookie", org.hamcrest.Matchers.nullValue());
    }

    @Test
    void theCookieIsARandomHttpOnlyStrictSessionIdThatOnlyTheConsoleHonours() throws Exception {
        Response login = given().redirects().follow(false).formParam("key", TestKeys.viewer()).post("/console/login");
        assertEquals(303, login.statusCode());
        String header = login.getHeader("Set-Cookie");
        assertTrue(header.contains("HttpOnly"), header);
        assertTrue(header.contains("SameSite=Strict"), header);
        assertTrue(header.contains("Path=/console"), header);
        assertFalse(header.contains("Secure"), "plain HTTP: no Secure flag (" + header + ")");
        String cookie = login.getCookie(COOKIE);
        assertNotEquals(TestKeys.viewer(), cookie);
        assertFalse(cookie.contains(TestKeys.viewer()));
        String sha256 = HexFormat.of().formatHex(ApiKeys.sha256(cookie));
        assertEquals("1", StoreFixtures.queryOne("SELECT count(*) FROM admin.console_session WHERE id_hash = ?", sha256),
                "the database keeps the session id's hash");
        assertEquals("0", StoreFixtures.queryOne("SELECT count(*) FROM admin.console_session WHERE id_hash = ?", cookie),
                "not the session id itself");

        given().cookie(COOKIE, cookie).get("/console/quarantine").then().statusCode(200).body(containsString("test-viewer (viewer)"))
                .header("Content-Security-Policy", containsString("script-src 'self'"));
        given().cookie(COOKIE, cookie).get("/api/v1/quarantine").then().statusCode(401);
    }

    @Test
    void aViewerSeesNoActionAndIsRefusedWhenPostingOneAnyway() throws Exception {
        String id = quarantined("100.65.2.1", "Subject: viewer test\r\n\r\nhello\r\n");
        Session viewer = login(TestKeys.viewer());
        String page = viewer.request().get("/console/quarantine/" + id).then().statusCode(200).extract().asString();
        assertTrue(page.contains("RELAY_ATTEMPTS") && page.contains("because HELO_ROTATION"), "rule hits shown");
        assertFalse(page.contains("/release\""), "no release form for a viewer");
        assertFalse(page.contains("id=\"delete\""), "no delete button for a viewer");

        viewer.request().formParam("csrf", viewer.csrf()).post("/console/quarantine/" + id + "/release").then().statusCode(403)
                .contentType(containsString("text/html"));
        assertEquals("QUARANTINE", StoreFixtures.queryOne("SELECT action FROM message WHERE id = ?", id));

        JsonPath audit = newestAudit("test-viewer");
        assertEquals("POST /console/quarantine/{id}/release", audit.getString("items[0].action"));
        assertEquals("viewer", audit.getString("items[0].role"));
        assertEquals(id, audit.getString("items[0].target.id"));
        assertEquals(403, audit.getInt("items[0].status"));

        for (String path : List.of("/console/blocks", "/console/queue")) {
            String html = viewer.request().get(path).then().statusCode(200).extract().asString();
            assertFalse(html.contains("/console/blocks/add") || html.contains("/console/queue/flush"), path + " has no form to act");
        }
    }

    @Test
    void aFormWithoutTheSessionsCsrfTokenIsRefusedAndChangesNothing() throws Exception {
        String id = quarantined("100.65.2.2", "Subject: csrf test\r\n\r\nhello\r\n");
        Session operator = login(TestKeys.operator());
        operator.request().post("/console/quarantine/" + id + "/release").then().statusCode(403)
                .body(containsString("did not come from your console session"));
        Session other = login(TestKeys.operator());
        operator.request().formParam("csrf", other.csrf()).post("/console/quarantine/" + id + "/delete").then().statusCode(403);
        assertEquals("QUARANTINE", StoreFixtures.queryOne("SELECT action FROM message WHERE id = ?", id));
        assertEquals(403, newestAudit("test-operator").getInt("items[0].status"));
    }

    @Test
    void anOperatorReleasesThroughTheServiceAndTheAuditLogSaysSo() throws Exception {
        String id = quarantined("100.65.2.3", "Subject: release test\r\n\r\nhello\r\n");
        Session operator = login(TestKeys.operator());
        operator.request().formParam("csrf", operator.csrf()).post("/console/quarantine/" + id + "/release").then()
                .statusCode(303).header("Location", endsWith("/console/quarantine"));

        given().auth().oauth2(TestKeys.viewer()).get("/api/v1/queue/messages/" + id).then().statusCode(200)
                .body("action", equalTo("RELEASED")).body("releasedBy", equalTo("test-operator"))
                .body("deliveries.size()", equalTo(2));
        operator.request().get("/console/quarantine").then().statusCode(200)
                .body(containsString("Released " + id + ": 2 recipients queued for delivery."));

        JsonPath audit = newestAudit("test-operator");
        assertEquals("POST /console/quarantine/{id}/release", audit.getString("items[0].action"));
        assertEquals("operator", audit.getString("items[0].role"));
        assertEquals(id, audit.getString("items[0].target.id"));
        assertEquals(303, audit.getInt("items[0].status"));
    }

    @Test
    void aFormsFieldsAreAuditedWithoutItsCsrfToken() {
        Session operator = login(TestKeys.operator());
        operator.request().formParam("csrf", operator.csrf()).formParam("destination", "nothing.console.test:25")
                .post("/console/queue/flush").then().statusCode(404).body(containsString("nothing pending"));
        JsonPath audit = newestAudit("test-operator");
        assertEquals("POST /console/queue/flush", audit.getString("items[0].action"));
        assertEquals("nothing.console.test:25", audit.getString("items[0].target.body.destination"));
        assertEquals(404, audit.getInt("items[0].status"));
        assertFalse(audit.prettify().contains(operator.csrf()), "the CSRF token is not in the audit log");
    }

    @Test
    void messageTextIsShownEscapedNeverAsHtml() throws Exception {
        String id = quarantined("100.65.2.4", "Subject: <script>alert(1)</script>\r\nContent-Type: text/html\r\n\r\n"
                + "<p>Hi <b>there</b><img src=x onerror=alert(2)></p>\r\n");
        Session viewer = login(TestKeys.viewer());
        String page = viewer.request().get("/console/quarantine/" + id).then().statusCode(200).extract().asString();
        assertTrue(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the subject header is escaped");
        assertFalse(page.contains("<script>alert"), "no script from the message");
        assertFalse(page.contains("<img src=x"), "no tag from the message");
        assertTrue(page.contains("Hi there"), "the HTML part as text");
    }

    @Test
    void logoutEndsTheSession() {
        Session viewer = login(TestKeys.viewer());
        viewer.request().formParam("csrf", viewer.csrf()).post("/console/logout").then().statusCode(303)
                .header("Location", endsWith("/console/login"));
        viewer.request().get("/console/quarantine").then().statusCode(303).header("Location", endsWith("/console/login"));
    }

    @Test
    void errorsArePagesNotProblems() {
        Session viewer = login(TestKeys.viewer());
        viewer.request().get("/console/quarantine/" + MessageIds.next()).then().statusCode(404)
                .contentType(containsString("text/html")).body(containsString("no quarantined message"));
        viewer.request().queryParam("ip", "300.1.2.3").get("/console/quarantine").then().statusCode(400)
                .contentType(containsString("text/html")).body(containsString("ip:"));
    }

    @Test
    void anAdminMakesAKeyThatIsShownOnceAndDeletesIt() {
        Session admin = login(TestKeys.admin());
        String name = "console-key-" + System.nanoTime();
        Response created = admin.request().formParam("csrf", admin.csrf()).formParam("name", name).formParam("role", "operator")
                .post("/console/keys/create");
        assertEquals(200, created.statusCode(), created.body().asString());
        Matcher shown = Pattern.compile("<code id=\"new-key\">([A-Za-z0-9_-]{43})</code>").matcher(created.body().asString());
        assertTrue(shown.find(), "the page shows the new key");
        String key = shown.group(1);
        given().auth().oauth2(key).get("/api/v1/quarantine").then().statusCode(200);

        String list = admin.request().get("/console/keys").then().statusCode(200).extract().asString();
        assertTrue(list.contains("data-name=\"" + name + "\""), "the list has the key");
        assertFalse(list.contains(key), "the list never shows the key again");
        JsonPath audit = newestAudit("test-admin");
        assertEquals("POST /console/keys/create", audit.getString("items[0].action"));
        assertEquals(name, audit.getString("items[0].target.body.name"));
        assertFalse(audit.prettify().contains(key), "the audit record has no key");

        admin.request().formParam("csrf", admin.csrf()).formParam("name", name).post("/console/keys/delete").then().statusCode(303)
                .header("Location", endsWith("/console/keys"));
        given().auth().oauth2(key).get("/api/v1/quarantine").then().statusCode(401);
        admin.request().formParam("csrf", admin.csrf()).formParam("name", "local-admin").post("/console/keys/delete").then()
                .statusCode(409).body(containsString("configured, not managed here"));
    }

    @Test
    void onlyAnAdminSeesTheKeysPage() {
        assertFalse(login(TestKeys.operator()).request().get("/console/quarantine").asString().contains("href=\"/console/keys\""));
        assertTrue(login(TestKeys.admin()).request().get("/console/quarantine").asString().contains("href=\"/console/keys\""));
    }
}
