package org.mailgateway.admin.console;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.endsWith;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mailgateway.admin.rest.MailStoreResource;
import org.mailgateway.admin.rest.TestKeys;
import org.mailgateway.admin.security.Roles;
import org.mailgateway.contracts.MessageIds;

/**
 * Every console route with every kind of caller: without a session → the login page; a role below the route's →
 * 403 (an HTML page); the route's role and every role above it get through (whatever the route then answers: the ids
 * and ranges here name nothing, except that the block of 100.65.3.0/32 is really made). Logout is in {@link ConsoleIT}.
 */
@QuarkusTest
@WithTestResource(MailStoreResource.class)
class ConsoleRolesIT {

    static final String NO_SUCH_ID = MessageIds.next();
    static final String HOP = "roles.console.test:25";

    /** method, path, the lowest role that may call it, form fields (name, value, ...; a POST also gets the CSRF token). */
    record Route(String method, String path, String role, String... form) {
    }

    static final List<Route> ROUTES = List.of(
            new Route("GET", "/console", Roles.VIEWER),
            new Route("GET", "/console/quarantine", Roles.VIEWER),
            new Route("GET", "/console/quarantine?ip=100.65.3.0/29&minScore=5", Roles.VIEWER),
            new Route("GET", "/console/quarantine/" + NO_SUCH_ID, Roles.VIEWER),
            new Route("GET", "/console/quarantine/" + NO_SUCH_ID + "/raw", Roles.VIEWER),
            new Route("POST", "/console/quarantine/" + NO_SUCH_ID + "/release", Roles.OPERATOR),
            new Route("POST", "/console/quarantine/" + NO_SUCH_ID + "/delete", Roles.OPERATOR),
            new Route("GET", "/console/queue", Roles.VIEWER),
            new Route("GET", "/console/queue/messages?destination=" + HOP, Roles.VIEWER),
            new Route("GET", "/console/queue/messages/" + NO_SUCH_ID, Roles.VIEWER),
            new Route("GET", "/console/queue/messages/" + NO_SUCH_ID + "/raw", Roles.VIEWER),
            new Route("POST", "/console/queue/flush", Roles.OPERATOR, "destination", HOP),
            new Route("POST", "/console/queue/delete-destination", Roles.OPERATOR, "destination", HOP),
            new Route("POST", "/console/queue/messages/" + NO_SUCH_ID + "/delete", Roles.OPERATOR),
            new Route("GET", "/console/clients", Roles.VIEWER),
            new Route("GET", "/console/clients/lookup?ip=100.65.3.1", Roles.VIEWER),
            new Route("GET", "/console/clients/100.65.3.1", Roles.VIEWER),
            new Route("GET", "/console/blocks", Roles.VIEWER),
            new Route("GET", "/console/blocks/preview?cidr=100.65.3.0/29", Roles.VIEWER),
            new Route("GET", "/console/blocks/export", Roles.VIEWER),
            new Route("POST", "/console/blocks/add", Roles.OPERATOR, "kind", "block", "cidr", "100.65.3.0/32", "reason", "role walk"),
            new Route("POST", "/console/blocks/remove", Roles.OPERATOR, "kind", "allow", "cidr", "100.65.3.1/32"),
            new Route("GET", "/console/charts", Roles.VIEWER),
            new Route("GET", "/console/keys", Roles.ADMIN),
            new Route("POST", "/console/keys/create", Roles.ADMIN, "name", "console-role-walk", "role", "viewer"),
            new Route("POST", "/console/keys/delete", Roles.ADMIN, "name", "console-role-walk-no-such-key"));

    private static final Map<String, ConsoleIT.Session> SESSIONS = new HashMap<>();

    static Stream<Arguments> routesAndRoles() {
        return ROUTES.stream().flatMap(route -> Roles.ALL.stream().map(role -> Arguments.of(route, role)));
    }

    static Stream<Route> routes() {
        return ROUTES.stream();
    }

    private static synchronized ConsoleIT.Session session(String role) {
        return SESSIONS.computeIfAbsent(role, r -> ConsoleIT.login(TestKeys.of(r)));
    }

    private static Response call(RequestSpecification request, Route route, String csrf) {
        if (route.method().equals("GET")) {
            return request.urlEncodingEnabled(false).get(route.path());
        }
        request.formParam("csrf", csrf);
        for (int i = 0; i + 1 < route.form().length; i += 2) {
            request.formParam(route.form()[i], route.form()[i + 1]);
        }
        return request.post(route.path());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("routes")
    void withoutASessionToTheLoginPage(Route route) {
        call(given().redirects().follow(false), route, "").then().statusCode(303).header("Location", endsWith("/console/login"));
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("routesAndRoles")
    void aRoleBelowIsRefusedTheRoleAndAboveGetThrough(Route route, String role) {
        ConsoleIT.Session session = session(role);
        Response response = call(session.request(), route, session.csrf());
        boolean allowed = Roles.implied(role).contains(route.role());
        if (allowed) {
            assertNotEquals(403, response.statusCode(), response.body().asString());
            assertNotEquals(401, response.statusCode());
            String location = response.getHeader("Location");
            assertFalse(location != null && location.endsWith("/console/login"), route + " sent " + role + " to the login page");
        } else {
            response.then().statusCode(403).contentType(org.hamcrest.Matchers.containsString("text/html"));
        }
    }
}
