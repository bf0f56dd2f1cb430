package org.mailgateway.admin.rest;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The OpenAPI document a client generator or a person reads: every operation tagged, every error a problem. */
@QuarkusTest
@WithTestResource(MailStoreResource.class)
class OpenApiIT {

    private static JsonPath document() {
        return given().queryParam("format", "json").get("/q/openapi").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void everyOperationHasATagASummaryAndProblemErrors() {
        Map<String, Map<String, Map<String, Object>>> paths = document().getMap("paths");
        int operations = 0;
        for (var path : paths.entrySet()) {
            if (!path.getKey().startsWith("/api/v1/")) {
                continue;
            }
            for (var operation : path.getValue().entrySet()) {
                String name = operation.getKey().toUpperCase() + " " + path.getKey();
                Map<String, Object> op = operation.getValue();
                operations++;
                assertFalse(((List<?>) op.get("tags")).isEmpty(), name + " has no tag");
                assertNotNull(op.get("summary"), name + " has no summary");
                @SuppressWarnings("unchecked")
                Map<String, Map<String, Object>> responses = (Map<String, Map<String, Object>>) op.get("responses");
                for (String status : List.of("401", "403", "500")) {
                    assertTrue(responses.containsKey(status), name + " does not describe " + status);
                    @SuppressWarnings("unchecked")
                    Map<String, Object> content = (Map<String, Object>) responses.get(status).get("content");
                    assertTrue(content.containsKey("application/problem+json"), name + " " + status + " is not a problem");
                }
            }
        }
        assertTrue(operations >= 13, "only " + operations + " operations");
    }

    @Test
    void theMainAnswersHaveExamples() {
        JsonPath doc = document();
        for (String path : List.of("/api/v1/quarantine", "/api/v1/quarantine/{id}", "/api/v1/queue/destinations",
                "/api/v1/queue/messages", "/api/v1/keys")) {
            Map<String, Object> examples = doc.getMap("paths.'" + path + "'.get.responses.'200'.content.'application/json'.examples");
            assertFalse(examples == null || examples.isEmpty(), path + " has no example");
        }
        assertEquals("object", doc.getString("components.schemas.Problem.type"));
        assertNotNull(doc.getMap("paths.'/api/v1/keys'.post.responses.'201'.content.'application/json'.examples"), "a created key");
        for (String operation : List.of("post", "delete")) {
            String path = operation.equals("post") ? "/api/v1/keys" : "/api/v1/keys/{name}";
            assertNotNull(doc.getMap("paths.'" + path + "'." + operation + ".responses.'409'.content.'application/problem+json'"),
                    operation + " " + path + " 409 is a problem");
        }
    }
}
