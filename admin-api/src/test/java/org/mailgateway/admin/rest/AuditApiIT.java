package org.mailgateway.admin.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mailgateway.contracts.MessageIds;

/** Mutating calls leave an audit record without the resource doing anything; admins read it. */
@QuarkusTest
@WithTestResource(MailStoreResource.class)
class AuditApiIT {

    private static JsonPath newest(String key) {
        return given().auth().oauth2(TestKeys.admin()).queryParam("key", key).queryParam("limit", 1)
                .get("/api/v1/audit").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void aMutatingCallIsRecordedWithWhoWhatTargetAndResult() {
        Instant before = Instant.now().minusSeconds(1);
        String id = MessageIds.next();
        given().auth().oauth2(TestKeys.operator()).post("/api/v1/quarantine/" + id + "/release").then().statusCode(404);

        JsonPath record = newest("test-operator");
        assertEquals("test-operator", record.getString("items[0].key"));
        assertEquals("operator", record.getString("items[0].role"));
        assertEquals("POST /api/v1/quarantine/{id}/release", record.getString("items[0].action"));
        assertEquals(id, record.getString("items[0].target.id"));
        assertEquals(404, record.getInt("items[0].status"));
        assertEquals(true, Instant.parse(record.getString("items[0].at")).isAfter(before));
    }

    @Test
    void aRefusedCallIsRecordedAnAnonymousOneIsNot() {
        String id = MessageIds.next();
        given().auth().oauth2(TestKeys.viewer()).delete("/api/v1/quarantine/" + id).then().statusCode(403);
        given().delete("/api/v1/quarantine/" + id).then().statusCode(401);
        given().auth().oauth2("wrong").delete("/api/v1/quarantine/" + id).then().statusCode(401);

        JsonPath record = newest("test-viewer");
        assertEquals("DELETE /api/v1/quarantine/{id}", record.getString("items[0].action"));
        assertEquals(id, record.getString("items[0].target.id"));
        assertEquals(403, record.getInt("items[0].status"));
        given().auth().oauth2(TestKeys.admin()).queryParam("action", "DELETE /api/v1/quarantine").get("/api/v1/audit").then()
                .statusCode(200).body("items.findAll { it.target.id == '" + id + "' }", hasSize(1));
    }

    @Test
    void readsAreNotRecorded() {
        given().auth().oauth2(TestKeys.admin()).get("/api/v1/quarantine").then().statusCode(200);
        given().auth().oauth2(TestKeys.admin()).get("/api/v1/audit").then().statusCode(200)
                .body("items.action", everyItem(not(equalTo("GET /api/v1/quarantine"))));
    }

    @Test
    void pagesNewestFirstAndFiltersByKeyActionAndTime() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String id = MessageIds.next();
            ids.add(0, id);
            given().auth().oauth2(TestKeys.localAdmin()).delete("/api/v1/quarantine/" + id).then().statusCode(404);
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            JsonPath page = given().auth().oauth2(TestKeys.admin()).queryParam("key", "local-admin")
                    .queryParam("action", "delete /api/v1/quarantine").queryParam("limit", 2)
                    .queryParam("cursor", cursor == null ? "" : cursor)
                    .get("/api/v1/audit").then().statusCode(200)
                    .body("items.key", everyItem(equalTo("local-admin"))).body("items.role", everyItem(equalTo("admin")))
                    .extract().jsonPath();
            seen.addAll(page.getList("items.target.id"));
            cursor = page.getString("nextCursor");
        } while (cursor != null);
        assertEquals(ids, seen.subList(0, 5));

        given().auth().oauth2(TestKeys.admin()).queryParam("since", Instant.now().plusSeconds(3600).toString())
                .get("/api/v1/audit").then().statusCode(200).body("items", hasSize(0)).body("nextCursor", nullValue());
    }

    @Test
    void badFiltersAreProblemsNamingTheParameter() {
        given().auth().oauth2(TestKeys.admin()).queryParam("since", "yesterday").get("/api/v1/audit").then().statusCode(400)
                .contentType("application/problem+json").body("detail", org.hamcrest.Matchers.startsWith("since:"));
        given().auth().oauth2(TestKeys.admin()).queryParam("action", "x".repeat(1000)).get("/api/v1/audit").then().statusCode(400)
                .body("detail", org.hamcrest.Matchers.startsWith("action:"));
        given().auth().oauth2(TestKeys.admin()).queryParam("cursor", "abc").get("/api/v1/audit").then().statusCode(400)
                .body("detail", org.hamcrest.Matchers.startsWith("cursor:"));
        given().auth().oauth2(TestKeys.admin()).queryParam("limit", 0).get("/api/v1/audit").then().statusCode(400)
                .body("detail", org.hamcrest.Matchers.startsWith("limit:"));
    }
}
