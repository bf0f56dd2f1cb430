package org.mailgateway.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One overlay of {@code deploy/k8s/overlays} as {@code kubectl kustomize} renders it: the objects an operator
 * would apply. The kubectl used is {@code $KUBECTL}, or {@code kubectl} on the PATH (Debian's
 * {@code kubernetes-client} in CI).
 */
record RenderedOverlay(String name, List<JsonNode> objects) {

    static final List<String> OVERLAYS = List.of("dev", "prod", "prod-proxy-protocol");
    static final List<String> SERVICES = List.of("smtp-ingress", "policy-service", "queue-service", "admin-api");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static Path deployDir() {
        return Path.of(System.getProperty("gateway.deploy.dir", ".")).toAbsolutePath().normalize();
    }

    static Stream<String> overlays() {
        return OVERLAYS.stream();
    }

    static RenderedOverlay render(String overlay) {
        Path dir = deployDir().resolve("k8s/overlays").resolve(overlay);
        String kubectl = Optional.ofNullable(System.getenv("KUBECTL")).orElse("kubectl");
        try {
            Process process = new ProcessBuilder(kubectl, "kustomize", dir.toString())
                    .redirectError(ProcessBuilder.Redirect.PIPE).start();
            byte[] out = process.getInputStream().readAllBytes();
            String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IllegalStateException("kubectl kustomize " + dir + " failed:\n" + err);
            }
            return new RenderedOverlay(overlay, parse(out));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run '" + kubectl + "' (install Debian's kubernetes-client, or set KUBECTL)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static List<JsonNode> parse(byte[] yaml) throws IOException {
        List<JsonNode> objects = new ArrayList<>();
        try (YAMLParser parser = (YAMLParser) YAML.getFactory().createParser(yaml)) {
            for (JsonNode node : (Iterable<JsonNode>) () -> readAll(parser)) {
                if (node != null && node.isObject() && !node.isEmpty()) {
                    objects.add(node);
                }
            }
        }
        return objects;
    }

    private static java.util.Iterator<JsonNode> readAll(YAMLParser parser) {
        try {
            return YAML.readValues(parser, JsonNode.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<JsonNode> ofKind(String kind) {
        return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
    }

    JsonNode one(String kind, String name) {
        return objects.stream()
                .filter(o -> kind.equals(o.path("kind").asText()) && name.equals(o.path("metadata").path("name").asText()))
                .findFirst().orElseThrow(() -> new AssertionError(this.name + ": no " + kind + " " + name));
    }

    /** A deep copy, for tests that break an object on purpose. */
    static ObjectNode copy(JsonNode node) {
        return node.deepCopy();
    }

    @Override
    public String toString() {
        return name;
    }
}
