package org.mailgateway.admin.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mailgateway.admin.security.ApiKeys;
import org.mailgateway.contracts.MessageIds;

/**
 * Keys made, used, listed and deleted over the API by an admin. Names start with {@code kt-} plus a counter so the
 * tests do not collide (the database is shared by the test JVM).
 */
@QuarkusTest
@WithTestResource(MailStoreResource.class)
class KeysApiIT {

    private static final AtomicInteger NAMES = new AtomicInteger();

    private static String name() {
        return "kt-" + System.nanoTime() + "-" + NAMES.incrementAndGet();
    }

    private static JsonPath create(String name, String role) {
        return given().auth().oauth2(TestKeys.admin()).contentType("application/json")
                .body("{\"name\": \"" + name + "\", \"role\": \"" + role + "\"}")
                .post("/api/v1/keys").then().statusCode(201).extract().jsonPath();
    }

    private static Map<String, Object> listed(String name) {
        List<Map<String, Object>> keys = given().auth().oauth2(TestKeys.admin()).get("/api/v1/keys").then().statusCode(200)
                .extract().jsonPath().getList("$");
        return keys.stream().filter(k -> name.equals(k.get("name"))).findFirst().orElse(null);
    }

    @Test
    void aNewViewerKeyReadsButMayNotActAndIsStoredAsItsHashOnly() throws Exception {
        String name = name();
        JsonPath created = create(name, "Viewer");
        String key = created.getString("key");

        assertEquals(name, created.getString("name"));
        assertEquals("viewer", created.getString("role"));
        assertEquals("api", created.getString("source"));
        assertEquals("test-admin", created.getString("createdBy"));
        assertNotNull(created.getString("createdAt"));
        assertTrue(key.matches("[A-Za-z0-9_-]{43}"), "256 bits base64url like local-admin's: " + key);
        assertTrue(TestKeys.localAdmin().matches("[A-Za-z0-9_-]{43}"), "the same format as the generated key");

        given().auth().oauth2(key).get("/api/v1/quarantine").then().statusCode(200);
        given().auth().oauth2(key).post("/api/v1/quarantine/" + MessageIds.next() + "/release").then().statusCode(403).contentType("application/problem+json");
        given().auth().oauth2(key).get("/api/v1/keys").then().statusCode(403);

        assertEquals(ApiKeys.sha256Hex(key), StoreFixtures.queryOne("SELECT key_hash FROM admin.api_key WHERE name = ?", name));
        assertEquals("0", StoreFixtures.queryOne(
                "SELECT count(*) FROM admin.api_key WHERE strpos(row_to_json(api_key)::text, ?) > 0", key), "the key is not stored");
    }

    @Test
    void anOperatorKeyActsAndAnAdminKeyManagesKeys() {
        String operator = create(name(), "operator").getString("key");
        given().auth().oauth2(operator).contentType("application/json")
                .body("{\"filter\": {\"ip\": \"198.18.254.1\"}, \"action\": \"delete\", \"dryRun\": true}")
                .post("/api/v1/quarantine/bulk").then().statusCode(200);
        given().auth().oauth2(operator).get("/api/v1/audit").then().statusCode(403);

        String adminName = name();
        String admin = create(adminName, "admin").getString("key");
        String made = name();
        given().auth().oauth2(admin).contentType("application/json").body("{\"name\": \"" + made + "\", \"role\": \"viewer\"}")
                .post("/api/v1/keys").then().statusCode(201).body("createdBy", equalTo(adminName));
    }

    @Test
    void theListShowsEveryKeyWithItsSourceAndNeverAHash() {
        String name = name();
        String key = create(name, "operator").getString("key");

        Response list = given().auth().oauth2(TestKeys.admin()).get("/api/v1/keys");
        list.then().statusCode(200)
                .body("find { it.name == 'local-admin' }.source", equalTo("generated"))
                .body("find { it.name == 'local-admin' }.role", equalTo("admin"))
                .body("find { it.name == 'local-admin' }.createdAt", nullValue())
                .body("find { it.name == 'test-viewer' }.source", equalTo("file"))
                .body("find { it.name == 'test-operator' }.role", equalTo("operator"))
                .body("name", hasItem(name));
        Map<String, Object> mine = listed(name);
        assertEquals("api", mine.get("source"));
        assertEquals("operator", mine.get("role"));
        assertEquals("test-admin", mine.get("createdBy"));
        assertNotNull(mine.get("createdAt"));
        assertEquals(List.of("createdAt", "createdBy", "name", "role", "source"), mine.keySet().stream().sorted().toList());
        String body = list.asString();
        assertFalse(body.contains(key), "no key in the list");
        assertFalse(body.contains(ApiKeys.sha256Hex(key)), "no hash in the list");
        assertFalse(body.contains(ApiKeys.sha256Hex(TestKeys.viewer())), "no hash of a file key in the list");
    }

    @Test
    void aDeletedKeyStopsAtOnceAndItsConsoleSessionEnds() {
        String name = name();
        String key = create(name, "operator").getString("key");
        given().auth().oauth2(key).get("/api/v1/quarantine").then().statusCode(200);
        Response login = given().redirects().follow(false).formParam("key", key).post("/console/login");
        assertEquals(303, login.statusCode());
        String cookie = login.getCookie("mailgateway_console");
        given().redirects().follow(false).cookie("mailgateway_console", cookie).get("/console/quarantine").then().statusCode(200);

        given().auth().oauth2(TestKeys.admin()).delete("/api/v1/keys/" + name).then().statusCode(204);

        given().auth().oauth2(key).get("/api/v1/quarantine").then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", startsWith("Bearer"));
        given().redirects().follow(false).cookie("mailgateway_console", cookie).get("/console/quarantine").then()
                .statusCode(303).header("Location", endsWith("/console/login"));
        given().redirects().follow(false).formParam("key", key).post("/console/login").then().statusCode(401);
        assertEquals(null, listed(name));
        given().auth().oauth2(TestKeys.admin()).delete("/api/v1/keys/" + name).then().statusCode(404)
                .contentType("application/problem+json");
    }

    /**
     * What the other replica does goes through the shared table only: a key it made (a row written straight into
     * admin.api_key) works here without a restart, and one it deleted is refused here from the next request on.
     */
    @Test
    void aKeyMadeOrDeletedByAnotherReplicaCountsHereAtOnce() throws Exception {
        String name = name();
        String key = ApiKeys.newKey();
        given().auth().oauth2(key).get("/api/v1/quarantine").then().statusCode(401);
        try (Connection c = StoreFixtures.connect(); PreparedStatement s = c.prepareStatement(
                "INSERT INTO admin.api_key (name, role, key_hash, created_by) VALUES (?, 'viewer', ?, 'replica-2')")) {
            s.setString(1, name);
            s.setString(2, ApiKeys.sha256Hex(key));
            s.executeUpdate();
        }
        given().auth().oauth2(key).get("/api/v1/quarantine").then().statusCode(200);
        assertEquals("replica-2", listed(name).get("createdBy"));

        try (Connection c = StoreFixtures.connect(); PreparedStatement s = c.prepareStatement("DELETE FROM admin.api_key WHERE name = ?")) {
            s.setString(1, name);
            s.executeUpdate();
        }
        given().auth().oauth2(key).get("/api/v1/quarantine").then().statusCode(401);
    }

    @Test
    void aNameTakenInAnySourceIsAConflict() {
        String name = name();
        create(name, "viewer");
        for (String taken : List.of(name, "local-admin", "test-viewer")) {
            given().auth().oauth2(TestKeys.admin()).contentType("application/json")
                    .body("{\"name\": \"" + taken + "\", \"role\": \"admin\"}").post("/api/v1/keys").then()
                    .statusCode(409).contentType("application/problem+json").body("detail", startsWith("name: a key named " + taken));
        }
        assertEquals("viewer", listed(name).get("role"), "the first key is unchanged");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "local-admin | generated | admin    | gateway.admin.key or the generated key file",
        "test-viewer | file      | viewer   | the key file gateway.admin.keys-file",
        "test-admin  | file      | admin    | the key file gateway.admin.keys-file",
    })
    void configuredKeysAreNotDeletedHere(String name, String source, String role, String where) {
        given().auth().oauth2(TestKeys.admin()).delete("/api/v1/keys/" + name).then().statusCode(409)
                .contentType("application/problem+json")
                .body("detail", equalTo("name: " + name + " is a " + source + " key: it is configured, not managed here (" + where + ")"));
        String key = name.equals("local-admin") ? TestKeys.localAdmin() : TestKeys.of(role);
        given().auth().oauth2(key).get("/api/v1/quarantine").then().statusCode(200);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{\"name\": \"has space\", \"role\": \"viewer\"}         | name:",
        "{\"role\": \"viewer\"}                                  | name:",
        "{\"name\": \"ok-name\", \"role\": \"root\"}             | role:",
        "{\"name\": \"ok-name\"}                                 | role:",
        "null                                                    | a JSON body",
    })
    void badBodiesAreProblemsNamingTheField(String body, String detail) {
        given().auth().oauth2(TestKeys.admin()).contentType("application/json").body(body).post("/api/v1/keys").then()
                .statusCode(400).contentType("application/problem+json").body("detail", startsWith(detail));
    }

    @Test
    void creationAndDeletionAreAuditedWithoutTheKeyAndTheKeyIsNotLogged() {
        String name = name();
        List<String> logged = Collections.synchronizedList(new ArrayList<>());
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                StringBuilder text = new StringBuilder(String.valueOf(record.getMessage()));
                if (record instanceof org.jboss.logmanager.ExtLogRecord ext) {
                    text.append(' ').append(ext.getFormattedMessage());
                }
                if (record.getParameters() != null) {
                    for (Object p : record.getParameters()) {
                        text.append(' ').append(p);
                    }
                }
                if (record.getThrown() != null) {
                    text.append(' ').append(record.getThrown());
                }
                logged.add(text.toString());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger root = Logger.getLogger("");
        root.addHandler(capture);
        String key;
        try {
            key = create(name, "viewer").getString("key");
            given().auth().oauth2(TestKeys.admin()).delete("/api/v1/keys/" + name).then().statusCode(204);
        } finally {
            root.removeHandler(capture);
        }
        assertTrue(logged.stream().anyMatch(line -> line.contains("API key " + name)), "the log was captured: " + logged);
        assertTrue(logged.stream().noneMatch(line -> line.contains(key)), "the key is in the log");

        List<Map<String, Object>> records = given().auth().oauth2(TestKeys.admin()).queryParam("key", "test-admin")
                .queryParam("action", "/api/v1/keys").queryParam("limit", 10).get("/api/v1/audit").then().statusCode(200)
                .extract().jsonPath().getList("items");
        Map<String, Object> post = records.stream().filter(r -> r.get("action").equals("POST /api/v1/keys")
                && r.get("target").toString().contains(name)).findFirst().orElseThrow();
        assertEquals(201, post.get("status"));
        assertEquals(Map.of("body", Map.of("name", name, "role", "viewer")), post.get("target"));
        Map<String, Object> delete = records.stream().filter(r -> r.get("action").equals("DELETE /api/v1/keys/{name}")
                && r.get("target").toString().contains(name)).findFirst().orElseThrow();
        assertEquals(204, delete.get("status"));
        assertEquals(Map.of("name", name), delete.get("target"));
        String audit = given().auth().oauth2(TestKeys.admin()).queryParam("limit", 500).get("/api/v1/audit").asString();
        assertFalse(audit.contains(key), "the key is in the audit log");
    }
}
