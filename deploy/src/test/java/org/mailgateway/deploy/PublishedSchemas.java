package org.mailgateway.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The schemas vendored in {@code deploy/schemas} (see its SOURCE.md): the Kubernetes OpenAPI document for the
 * built-in kinds and the operators' CRD schemas for theirs. Validation is strict: a field a schema does not
 * define is an error, as with the API server's strict field validation.
 */
final class PublishedSchemas {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4);

    private final Path dir;
    private final ObjectNode kubernetesDefinitions;
    /** "group/version/Kind" of every built-in kind -> its definition's name. */
    private final Map<String, String> builtInKinds = new HashMap<>();
    private final Map<String, JsonSchema> schemas = new HashMap<>();

    PublishedSchemas(Path dir) {
        this.dir = dir;
        try {
            JsonNode swagger = JSON.readTree(dir.resolve("kubernetes/swagger.json").toFile());
            kubernetesDefinitions = (ObjectNode) swagger.get("definitions");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        kubernetesDefinitions.fields().forEachRemaining(definition -> {
            for (JsonNode gvk : definition.getValue().path("x-kubernetes-group-version-kind")) {
                builtInKinds.put(key(gvk.path("group").asText(), gvk.path("version").asText(), gvk.path("kind").asText()),
                        definition.getKey());
            }
        });
        strict(kubernetesDefinitions);
    }

    static PublishedSchemas vendored() {
        return new PublishedSchemas(RenderedOverlay.deployDir().resolve("schemas"));
    }

    /** The schema errors of one object; an object whose kind has no schema here is an error too. */
    synchronized List<String> validate(JsonNode object) {
        String apiVersion = object.path("apiVersion").asText();
        String kind = object.path("kind").asText();
        JsonSchema schema = schemas.computeIfAbsent(apiVersion + "/" + kind, k -> load(apiVersion, kind));
        if (schema == null) {
            return List.of("no published schema for " + apiVersion + " " + kind + " in " + dir);
        }
        Set<ValidationMessage> errors = schema.validate(object);
        return errors.stream().map(ValidationMessage::getMessage).sorted().collect(Collectors.toList());
    }

    private JsonSchema load(String apiVersion, String kind) {
        int slash = apiVersion.indexOf('/');
        String group = slash < 0 ? "" : apiVersion.substring(0, slash);
        String version = apiVersion.substring(slash + 1);
        String definition = builtInKinds.get(key(group, version, kind));
        if (definition != null) {
            ObjectNode root = NODES.objectNode();
            root.set("definitions", kubernetesDefinitions);
            root.put("$ref", "#/definitions/" + definition);
            return FACTORY.getSchema(root);
        }
        Path crd = dir.resolve("crds").resolve(group).resolve(kind.toLowerCase(Locale.ROOT) + "_" + version + ".json");
        if (group.isEmpty() || !Files.exists(crd)) {
            return null;
        }
        try {
            return FACTORY.getSchema(JSON.readTree(crd.toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The OpenAPI document allows any extra field; the API server refuses them (strict field validation).
     * Every definition that lists its properties gets {@code additionalProperties: false}, and the two
     * string-typed formats that the API server also takes as numbers are read that way.
     */
    private static void strict(ObjectNode definitions) {
        definitions.set("io.k8s.apimachinery.pkg.util.intstr.IntOrString", anyOf("string", "integer"));
        definitions.set("io.k8s.apimachinery.pkg.api.resource.Quantity", anyOf("string", "number"));
        for (Iterator<JsonNode> it = definitions.elements(); it.hasNext(); ) {
            closeObjects(it.next());
        }
    }

    private static void closeObjects(JsonNode schema) {
        if (!(schema instanceof ObjectNode node)) {
            return;
        }
        if (node.has("properties") && !node.has("additionalProperties")) {
            node.put("additionalProperties", false);
        }
        node.path("properties").elements().forEachRemaining(PublishedSchemas::closeObjects);
        closeObjects(node.get("items"));
        closeObjects(node.get("additionalProperties"));
    }

    private static ObjectNode anyOf(String... types) {
        ArrayNode alternatives = NODES.arrayNode();
        for (String type : types) {
            alternatives.add(NODES.objectNode().put("type", type));
        }
        ObjectNode node = NODES.objectNode();
        node.set("anyOf", alternatives);
        return node;
    }

    private static String key(String group, String version, String kind) {
        return group + "/" + version + "/" + kind;
    }
}
