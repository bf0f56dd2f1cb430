package org.mailgateway.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mailgateway.localstack.kafka.GatewayTopics;

/**
 * The rules the gateway's manifests must keep whatever the overlay: what a reviewer would otherwise check by
 * eye on every change (probes, limits, non-root, PDBs, the client IP, compaction, KEDA within partitions).
 */
class ManifestPolicyTest {

    private static final Map<String, RenderedOverlay> RENDERED = new ConcurrentHashMap<>();

    private static RenderedOverlay rendered(String overlay) {
        return RENDERED.computeIfAbsent(overlay, RenderedOverlay::render);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.mailgateway.deploy.RenderedOverlay#overlays")
    void everyServiceIsDeployedWithProbesLimitsAndANonRootReadOnlyContainer(String overlay) {
        RenderedOverlay r = rendered(overlay);
        List<String> deployed = r.ofKind("Deployment").stream().map(d -> d.path("metadata").path("name").asText()).sorted().toList();
        assertEquals(RenderedOverlay.SERVICES.stream().sorted().toList(), deployed);

        List<String> problems = new ArrayList<>();
        for (JsonNode deployment : r.ofKind("Deployment")) {
            String name = deployment.path("metadata").path("name").asText();
            JsonNode pod = deployment.path("spec").path("template").path("spec");
            if (!pod.path("automountServiceAccountToken").isBoolean() || pod.path("automountServiceAccountToken").asBoolean()) {
                problems.add(name + ": the pod mounts a service account token");
            }
            for (JsonNode c : pod.path("containers")) {
                String where = name + "/" + c.path("name").asText() + ": ";
                for (String probe : List.of("livenessProbe", "readinessProbe")) {
                    if (!c.path(probe).path("httpGet").path("path").asText().startsWith("/q/health/")) {
                        problems.add(where + probe + " is not on /q/health/*");
                    }
                }
                for (String kind : List.of("requests", "limits")) {
                    for (String resource : List.of("cpu", "memory")) {
                        if (c.path("resources").path(kind).path(resource).isMissingNode()) {
                            problems.add(where + "no " + resource + " in resources." + kind);
                        }
                    }
                }
                JsonNode sc = c.path("securityContext");
                boolean nonRoot = sc.path("runAsNonRoot").asBoolean(pod.path("securityContext").path("runAsNonRoot").asBoolean(false));
                if (!nonRoot) {
                    problems.add(where + "may run as root");
                }
                if (!sc.path("readOnlyRootFilesystem").asBoolean(false)) {
                    problems.add(where + "root filesystem is writable");
                }
                if (sc.path("allowPrivilegeEscalation").asBoolean(true)) {
                    problems.add(where + "privilege escalation allowed");
                }
                if (StreamSupport.stream(sc.path("capabilities").path("drop").spliterator(), false).noneMatch(d -> d.asText().equals("ALL"))) {
                    problems.add(where + "capabilities not dropped");
                }
            }
            JsonNode account = r.one("ServiceAccount", pod.path("serviceAccountName").asText());
            if (account.path("automountServiceAccountToken").asBoolean(true)) {
                problems.add(name + ": its service account mounts an API token");
            }
        }
        assertEquals(List.of(), problems);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.mailgateway.deploy.RenderedOverlay#overlays")
    void everyDeploymentHasADisruptionBudgetSelectingItsPods(String overlay) {
        RenderedOverlay r = rendered(overlay);
        for (JsonNode deployment : r.ofKind("Deployment")) {
            JsonNode podLabels = deployment.path("spec").path("template").path("metadata").path("labels");
            boolean covered = r.ofKind("PodDisruptionBudget").stream().anyMatch(pdb -> selects(pdb.path("spec").path("selector"), podLabels));
            assertTrue(covered, overlay + ": no PodDisruptionBudget for " + deployment.path("metadata").path("name").asText());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.mailgateway.deploy.RenderedOverlay#overlays")
    void theSmtpServiceIsPort25AndKeepsTheClientIp(String overlay) {
        RenderedOverlay r = rendered(overlay);
        JsonNode smtp = r.one("Service", "smtp-ingress-smtp");
        assertEquals("LoadBalancer", smtp.path("spec").path("type").asText());
        assertEquals(25, smtp.path("spec").path("ports").get(0).path("port").asInt());

        String proxySources = r.one("ConfigMap", "smtp-ingress").path("data").path("GATEWAY_SMTP_PROXY_PROTOCOL_SOURCES").asText();
        boolean local = "Local".equals(smtp.path("spec").path("externalTrafficPolicy").asText());
        assertTrue(local || !proxySources.isBlank(),
                overlay + ": the client IP is lost (neither externalTrafficPolicy Local nor the PROXY protocol)");
        assertEquals(overlay.endsWith("proxy-protocol"), !proxySources.isBlank(), "PROXY protocol only in its overlay");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.mailgateway.deploy.RenderedOverlay#overlays")
    void theTopicsAreThoseOfTheLocalStackAndTheBlocklistIsCompacted(String overlay) {
        RenderedOverlay r = rendered(overlay);
        for (GatewayTopics.Spec spec : GatewayTopics.specs()) {
            JsonNode topic = topic(r, spec.name());
            assertEquals(spec.partitions(), topic.path("spec").path("partitions").asInt(), spec.name() + " partitions");
            assertEquals(spec.config().getOrDefault("cleanup.policy", "delete"),
                    topic.path("spec").path("config").path("cleanup.policy").asText("delete"), spec.name() + " cleanup.policy");
        }
        assertEquals("compact", topic(r, "policy.blocklist").path("spec").path("config").path("cleanup.policy").asText());
        assertEquals(GatewayTopics.specs().size(), r.ofKind("KafkaTopic").size(), "no topic beyond the contract");
    }

    @Test
    void kedaNeverRunsMoreConsumersThanTheTopicHasPartitions() {
        RenderedOverlay r = rendered("prod");
        List<JsonNode> scaled = r.ofKind("ScaledObject");
        assertEquals(List.of("policy-service", "queue-service"),
                scaled.stream().map(s -> s.path("spec").path("scaleTargetRef").path("name").asText()).sorted().toList());
        for (JsonNode object : scaled) {
            int max = object.path("spec").path("maxReplicaCount").asInt();
            assertTrue(object.path("spec").path("triggers").size() > 0);
            for (JsonNode trigger : object.path("spec").path("triggers")) {
                assertEquals("kafka", trigger.path("type").asText());
                int partitions = topic(r, trigger.path("metadata").path("topic").asText()).path("spec").path("partitions").asInt();
                assertTrue(max <= partitions, object.path("metadata").path("name").asText() + ": " + max + " replicas for "
                        + partitions + " partitions");
            }
        }
    }

    @Test
    void ingressScalesOnCpuAndOpenConnections() {
        JsonNode hpa = rendered("prod").one("HorizontalPodAutoscaler", "smtp-ingress");
        assertEquals(2, hpa.path("spec").path("minReplicas").asInt());
        assertEquals(20, hpa.path("spec").path("maxReplicas").asInt());
        List<String> metrics = StreamSupport.stream(hpa.path("spec").path("metrics").spliterator(), false)
                .map(m -> m.path("resource").path("name").asText(m.path("pods").path("metric").path("name").asText())).toList();
        assertEquals(List.of("cpu", "gateway_smtp_connections_active"), metrics);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.mailgateway.deploy.RenderedOverlay#overlays")
    void theIngressDrainsWithinItsGracePeriod(String overlay) {
        RenderedOverlay r = rendered(overlay);
        JsonNode pod = r.one("Deployment", "smtp-ingress").path("spec").path("template").path("spec");
        long preStop = pod.path("containers").get(0).path("lifecycle").path("preStop").path("sleep").path("seconds").asLong(-1);
        Duration drain = Duration.parse(r.one("ConfigMap", "smtp-ingress").path("data").path("GATEWAY_SMTP_SHUTDOWN_GRACE").asText());
        long grace = pod.path("terminationGracePeriodSeconds").asLong();
        assertTrue(preStop > 0, "no preStop pause before SIGTERM");
        assertTrue(grace > preStop + drain.toSeconds(), "grace " + grace + " s < preStop " + preStop + " s + drain " + drain);
    }

    @Test
    void prodIsHighlyAvailableAndDevIsSmall() {
        RenderedOverlay prod = rendered("prod");
        for (JsonNode topic : prod.ofKind("KafkaTopic")) {
            assertEquals(3, topic.path("spec").path("replicas").asInt(), topic.path("metadata").path("name").asText());
            assertEquals(2, topic.path("spec").path("config").path("min.insync.replicas").asInt(), topic.path("metadata").path("name").asText());
        }
        assertEquals(3, prod.one("KafkaNodePool", "dual-role").path("spec").path("replicas").asInt());
        assertEquals(3, prod.one("Cluster", "gateway-db").path("spec").path("instances").asInt());

        RenderedOverlay dev = rendered("dev");
        assertEquals(1, dev.one("KafkaNodePool", "dual-role").path("spec").path("replicas").asInt());
        assertEquals(1, dev.one("Cluster", "gateway-db").path("spec").path("instances").asInt());
        dev.ofKind("Deployment").forEach(d -> assertEquals(1, d.path("spec").path("replicas").asInt()));
        dev.ofKind("KafkaTopic").forEach(t -> assertEquals(1, t.path("spec").path("replicas").asInt()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.mailgateway.deploy.RenderedOverlay#overlays")
    void secretsAreReferencedNeverShipped(String overlay) {
        RenderedOverlay r = rendered(overlay);
        assertEquals(List.of(), r.ofKind("Secret"), "a Secret with values in the manifests");
        String all = r.objects().toString();
        for (String secret : List.of("gateway-db-app", "admin-api-keys", "smtp-ingress-tls", "smtp-ingress-auth")) {
            assertTrue(all.contains("\"" + secret + "\""), secret + " is not referenced");
        }
        JsonNode queue = r.one("Deployment", "queue-service").path("spec").path("template").path("spec").path("containers").get(0);
        assertFalse(queue.path("env").toString().contains("\"value\""), "queue-service credentials must come from the Secret");
    }

    private static JsonNode topic(RenderedOverlay r, String topicName) {
        return r.ofKind("KafkaTopic").stream().filter(t -> topicName.equals(t.path("spec").path("topicName").asText()))
                .findFirst().orElseThrow(() -> new AssertionError(r.name() + ": no KafkaTopic for " + topicName));
    }

    private static boolean selects(JsonNode selector, JsonNode labels) {
        JsonNode match = selector.path("matchLabels");
        if (match.isEmpty()) {
            return false;
        }
        for (var it = match.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getValue().asText().equals(labels.path(e.getKey()).asText(null))) {
                return false;
            }
        }
        return true;
    }
}
