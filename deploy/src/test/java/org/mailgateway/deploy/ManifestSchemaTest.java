package org.mailgateway.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every object of every overlay is valid against the published schema of its kind, with no field the schema
 * does not know: what {@code kubectl apply --validate=strict} on a cluster with the four operators would say.
 */
class ManifestSchemaTest {

    private static PublishedSchemas schemas;

    @BeforeAll
    static void loadSchemas() {
        schemas = PublishedSchemas.vendored();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.mailgateway.deploy.RenderedOverlay#overlays")
    void everyRenderedObjectMatchesItsPublishedSchema(String overlay) {
        RenderedOverlay rendered = RenderedOverlay.render(overlay);
        assertFalse(rendered.objects().isEmpty(), overlay + " rendered nothing");

        List<String> problems = new ArrayList<>();
        for (JsonNode object : rendered.objects()) {
            for (String error : schemas.validate(object)) {
                problems.add(object.path("kind").asText() + " " + object.path("metadata").path("name").asText() + ": " + error);
            }
        }
        assertEquals(List.of(), problems);
    }

    /** The validator is only worth something if it refuses what the API server would refuse. */
    static Stream<Arguments> brokenObjects() {
        return Stream.of(
                broken("Deployment", "smtp-ingress", "a misspelt field in a probe",
                        o -> probe(o).set("httpGett", probe(o).get("httpGet"))),
                broken("Deployment", "smtp-ingress", "an unknown top-level spec field",
                        o -> ((ObjectNode) o.get("spec")).put("replica", 3)),
                broken("Deployment", "queue-service", "a string where the schema wants an integer",
                        o -> ((ObjectNode) o.get("spec")).put("replicas", "two")),
                broken("Service", "smtp-ingress-smtp", "an unknown field in a port",
                        o -> ((ObjectNode) o.get("spec").get("ports").get(0)).put("nodeport", 30025)),
                broken("KafkaTopic", "policy-blocklist", "an unknown field in a Strimzi topic",
                        o -> ((ObjectNode) o.get("spec")).put("compacted", true)),
                broken("Cluster", "gateway-db", "an unknown field in a CloudNativePG cluster",
                        o -> ((ObjectNode) o.get("spec")).put("replicas", 3)),
                broken("ScaledObject", "queue-service", "an unknown field in a KEDA ScaledObject",
                        o -> ((ObjectNode) o.get("spec")).put("maxReplicas", 6)),
                broken("PodMonitor", "admin-api", "an unknown field in a PodMonitor endpoint",
                        o -> ((ObjectNode) o.get("spec").get("podMetricsEndpoints").get(0)).put("metricsPath", "/q/metrics")),
                broken("PrometheusRule", "mail-gateway", "an unknown field in an alert",
                        o -> ((ObjectNode) o.get("spec").get("groups").get(0).get("rules").get(0)).put("severity", "warning")));
    }

    @ParameterizedTest(name = "{0} {1}: {2}")
    @MethodSource("brokenObjects")
    void aBrokenObjectIsRefused(String kind, String name, String breakage, Consumer<ObjectNode> breakIt) {
        ObjectNode object = RenderedOverlay.copy(prod().one(kind, name));
        assertEquals(List.of(), schemas.validate(object), "the object as rendered is valid");

        breakIt.accept(object);

        assertTrue(!schemas.validate(object).isEmpty(), breakage + " passed validation");
    }

    private static RenderedOverlay prod;

    private static synchronized RenderedOverlay prod() {
        if (prod == null) {
            prod = RenderedOverlay.render("prod");
        }
        return prod;
    }

    private static Arguments broken(String kind, String name, String breakage, Consumer<ObjectNode> breakIt) {
        return Arguments.of(kind, name, breakage, breakIt);
    }

    private static ObjectNode probe(ObjectNode deployment) {
        return (ObjectNode) deployment.get("spec").get("template").get("spec").get("containers").get(0).get("livenessProbe");
    }
}
