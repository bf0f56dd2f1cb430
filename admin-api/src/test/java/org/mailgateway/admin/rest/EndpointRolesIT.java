package org.mailgateway.admin.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mailgateway.admin.security.Roles;
import org.mailgateway.contracts.MessageIds;

/**
 * Every endpoint with every kind of caller: no key and a wrong key get 401, a role below the endpoint's gets 403,
 * both as problem+json; the endpoint's role and every role above it get through (whatever the endpoint then
 * answers: the ids here name nothing, so mutations change nothing). One row per endpoint in {@link #ENDPOINTS}; an
 * operation of the OpenAPI document without a row (a new endpoint nobody added here) fails
 * {@link #everyOperationOfTheApiIsWalked()}.
 */
@QuarkusTest
@WithTestResource(MailStoreResource.class)
class EndpointRolesIT {

    /** An id that is valid but names no message. */
    static final String NO_SUCH_ID = MessageIds.next();

    /** method, path, the lowest role that may call it, a JSON body (or null). Add a row for each endpoint. */
    static final List<Endpoint> ENDPOINTS = List.of(
            new Endpoint("GET", "/api/v1/quarantine", Roles.VIEWER, null),
            new Endpoint("GET", "/api/v1/quarantine/" + NO_SUCH_ID, Roles.VIEWER, null),
            new Endpoint("GET", "/api/v1/quarantine/" + NO_SUCH_ID + "/raw", Roles.VIEWER, null),
            new Endpoint("POST", "/api/v1/quarantine/" + NO_SUCH_ID + "/release", Roles.OPERATOR, null),
            new Endpoint("DELETE", "/api/v1/quarantine/" + NO_SUCH_ID, Roles.OPERATOR, null),
            new Endpoint("POST", "/api/v1/quarantine/bulk", Roles.OPERATOR,
                    "{\"filter\": {\"ip\": \"198.18.255.255\"}, \"action\": \"delete\", \"dryRun\": true}"),
            new Endpoint("GET", "/api/v1/queue/destinations", Roles.VIEWER, null),
            new Endpoint("GET", "/api/v1/queue/messages?destination=roles.test:25", Roles.VIEWER, null),
            new Endpoint("GET", "/api/v1/queue/messages/" + NO_SUCH_ID, Roles.VIEWER, null),
            new Endpoint("GET", "/api/v1/queue/messages/" + NO_SUCH_ID + "/raw", Roles.VIEWER, null),
            new Endpoint("POST", "/api/v1/queue/destinations/roles.test:25/flush", Roles.OPERATOR, null),
            new Endpoint("DELETE", "/api/v1/queue/messages/" + NO_SUCH_ID, Roles.OPERATOR, null),
            new Endpoint("DELETE", "/api/v1/queue/destinations/roles.test:25", Roles.OPERATOR, null),
            new Endpoint("GET", "/api/v1/audit", Roles.ADMIN, null),
            // block and allow lists: 192.0.2.250-252 belong to this walk and to no other test
            new Endpoint("GET", "/api/v1/blocklist", Roles.VIEWER, null),
            new Endpoint("GET", "/api/v1/blocklist?all=true", Roles.VIEWER, null),
            new Endpoint("POST", "/api/v1/blocklist", Roles.OPERATOR, "{\"cidr\":\"192.0.2.250/32\",\"reason\":\"role walk\"}"),
            new Endpoint("DELETE", "/api/v1/blocklist/192.0.2.251_32", Roles.OPERATOR, null),
            new Endpoint("DELETE", "/api/v1/blocklist?cidr=192.0.2.251/32", Roles.OPERATOR, null),
            new Endpoint("GET", "/api/v1/blocklist/export?format=nftables", Roles.VIEWER, null),
            new Endpoint("GET", "/api/v1/blocklist/impact?cidr=192.0.2.0/24", Roles.VIEWER, null),
            new Endpoint("GET", "/api/v1/allowlist", Roles.VIEWER, null),
            new Endpoint("POST", "/api/v1/allowlist", Roles.OPERATOR, "{\"cidr\":\"192.0.2.252/32\",\"reason\":\"role walk\"}"),
            new Endpoint("DELETE", "/api/v1/allowlist/192.0.2.251_32", Roles.OPERATOR, null),
            new Endpoint("DELETE", "/api/v1/allowlist?cidr=192.0.2.251/32", Roles.OPERATOR, null),
            new Endpoint("GET", "/api/v1/clients", Roles.VIEWER, null),
            new Endpoint("GET", "/api/v1/clients/192.0.2.1", Roles.VIEWER, null),
            // keys: the admin callers make "role-walk" (201, then 409); the delete names no key (404)
            new Endpoint("GET", "/api/v1/keys", Roles.ADMIN, null),
            new Endpoint("POST", "/api/v1/keys", Roles.ADMIN, "{\"name\": \"role-walk\", \"role\": \"viewer\"}"),
            new Endpoint("DELETE", "/api/v1/keys/role-walk-no-such-key", Roles.ADMIN, null));

    record Endpoint(String method, String path, String role, String body) {
        @Override
        public String toString() {
            return method + " " + path.replace(NO_SUCH_ID, "{id}") + " (" + role + ")";
        }
    }

    /** Who calls: a role's key, the generated local-admin key, a wrong key, or nobody. */
    enum Caller {
        NO_KEY(null, null), WRONG_KEY("not-a-key-of-this-gateway", null), VIEWER(TestKeys.viewer(), Roles.VIEWER),
        OPERATOR(TestKeys.operator(), Roles.OPERATOR), ADMIN(TestKeys.admin(), Roles.ADMIN), LOCAL_ADMIN(null, Roles.ADMIN);

        final String key;
        final String role;

        Caller(String key, String role) {
            this.key = key;
            this.role = role;
        }

        String key() {
            return this == LOCAL_ADMIN ? TestKeys.localAdmin() : key;
        }
    }

    static Stream<Arguments> everyEndpointWithEveryCaller() {
        List<Arguments> cases = new ArrayList<>();
        for (Endpoint endpoint : ENDPOINTS) {
            for (Caller caller : Caller.values()) {
                cases.add(Arguments.of(endpoint, caller));
            }
        }
        return cases.stream();
    }

    /** Every operation under /api/v1 in the OpenAPI document has a row in {@link #ENDPOINTS}, and every row an operation. */
    @Test
    void everyOperationOfTheApiIsWalked() {
        Map<String, Map<String, Object>> paths = given().queryParam("format", "json").get("/q/openapi").then().statusCode(200)
                .extract().jsonPath().getMap("paths");
        List<String> operations = new ArrayList<>();
        paths.forEach((path, methods) -> {
            if (path.startsWith("/api/v1/")) {
                methods.keySet().forEach(method -> operations.add(method.toUpperCase(Locale.ROOT) + " " + path));
            }
        });
        for (String operation : operations) {
            assertTrue(ENDPOINTS.stream().anyMatch(e -> matches(operation, e)), operation + " has no row in ENDPOINTS");
        }
        for (Endpoint endpoint : ENDPOINTS) {
            assertTrue(operations.stream().anyMatch(o -> matches(o, endpoint)), endpoint + " is no operation of the API");
        }
        assertTrue(operations.size() >= 20, "only " + operations.size() + " operations: " + operations);
    }

    /** Whether {@code operation} ("DELETE /api/v1/keys/{name}") is what the row calls. */
    private static boolean matches(String operation, Endpoint endpoint) {
        String[] parts = operation.split(" ", 2);
        String path = endpoint.path().contains("?") ? endpoint.path().substring(0, endpoint.path().indexOf('?')) : endpoint.path();
        String template = Pattern.quote(parts[1]).replaceAll("\\{[^}]+}", "\\\\E[^/]+\\\\Q");
        return parts[0].equals(endpoint.method()) && path.matches(template);
    }

    @ParameterizedTest(name = "{0} by {1}")
    @MethodSource("everyEndpointWithEveryCaller")
    void onlyTheRightRolesGetThrough(Endpoint endpoint, Caller caller) {
        RequestSpecification request = given();
        if (caller.key() != null) {
            request = request.header("Authorization", "Bearer " + caller.key());
        }
        if (endpoint.body() != null) {
            request = request.contentType("application/json").body(endpoint.body());
        }
        Response response = request.request(endpoint.method(), endpoint.path());

        if (caller.role == null) {
            response.then().statusCode(401).contentType("application/problem+json").body("status", equalTo(401));
        } else if (Roles.ALL.indexOf(caller.role) < Roles.ALL.indexOf(endpoint.role())) {
            response.then().statusCode(403).contentType("application/problem+json").body("status", equalTo(403));
        } else {
            int status = response.statusCode();
            assertFalse(status == 401 || status == 403, endpoint + " refused " + caller + " with " + status);
            assertTrue(status < 500, endpoint + " failed for " + caller + " with " + status + ": " + response.asString());
            if (status >= 400) {
                response.then().contentType("application/problem+json");
            }
        }
    }
}
