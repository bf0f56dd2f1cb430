package org.mailgateway.admin.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.UriInfo;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;

/** What an audit record says a call acted on, and under which route. */
final class AuditTarget {

    /** Longest target kept; a larger body is cut (and marked so). */
    static final int MAX_TARGET = 4000;

    private AuditTarget() {
    }

    /**
     * {@code /api/v1/quarantine/{id}/release}: the class and method {@code @Path}s with any regular expression
     * removed from the parameters; the request path itself when no resource method matched.
     */
    static String routeTemplate(ResourceInfo resource, String requestPath) {
        Method method = resource == null ? null : resource.getResourceMethod();
        if (method == null) {
            return requestPath;
        }
        String template = path(resource.getResourceClass().getAnnotation(Path.class)) + "/" + path(method.getAnnotation(Path.class));
        template = template.replaceAll("\\{\\s*(\\w[\\w.-]*)\\s*:[^}]*}", "{$1}").replaceAll("/{2,}", "/");
        return template.length() > 1 && template.endsWith("/") ? template.substring(0, template.length() - 1) : template;
    }

    /** A JSON object: the path parameters by name, {@code query} (if any), {@code body} (if any). */
    static String describe(ObjectMapper json, UriInfo uri, Object body) {
        ObjectNode target = json.createObjectNode();
        uri.getPathParameters().forEach((name, values) -> target.put(name, String.join(",", values)));
        if (!uri.getQueryParameters().isEmpty()) {
            ObjectNode query = target.putObject("query");
            for (Map.Entry<String, List<String>> q : uri.getQueryParameters().entrySet()) {
                query.put(q.getKey(), String.join(",", q.getValue()));
            }
        }
        if (body != null) {
            target.set("body", json.valueToTree(body));
        }
        String text = target.toString();
        if (text.length() > MAX_TARGET && body != null) {
            target.put("body", "(cut) " + target.get("body").toString().substring(0, MAX_TARGET / 2));
            text = target.toString();
        }
        return text;
    }

    private static String path(Path path) {
        return path == null ? "" : path.value();
    }
}
