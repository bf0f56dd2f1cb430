package org.mailgateway.admin.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.MatrixParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.UriInfo;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.server.core.ResteasyReactiveRequestContext;
import org.jboss.resteasy.reactive.server.spi.ServerRequestContext;

/** What an audit record says a call acted on, and under which route. */
final class AuditTarget {

    /** Longest target kept; a larger body is cut (and marked so). */
    static final int MAX_TARGET = 4000;

    private AuditTarget() {
    }

    /** The arguments the resource method was called with, when the request got that far. */
    static Object[] arguments(ServerRequestContext context) {
        return context instanceof ResteasyReactiveRequestContext reactive ? reactive.getParameters() : null;
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
    static String describe(ObjectMapper json, UriInfo uri, ResourceInfo resource, Object[] arguments) {
        ObjectNode target = json.createObjectNode();
        uri.getPathParameters().forEach((name, values) -> target.put(name, String.join(",", values)));
        if (!uri.getQueryParameters().isEmpty()) {
            ObjectNode query = target.putObject("query");
            for (Map.Entry<String, List<String>> q : uri.getQueryParameters().entrySet()) {
                query.put(q.getKey(), String.join(",", q.getValue()));
            }
        }
        Object body = body(resource, arguments);
        if (body != null) {
            target.set("body", json.valueToTree(body));
        }
        String text = target.toString();
        if (text.length() > MAX_TARGET) {
            target.put("body", "(cut) " + target.get("body").toString().substring(0, MAX_TARGET / 2));
            text = target.toString();
        }
        return text;
    }

    /** The argument without a JAX-RS parameter annotation: the request entity. */
    private static Object body(ResourceInfo resource, Object[] arguments) {
        Method method = resource == null ? null : resource.getResourceMethod();
        if (method == null || arguments == null) {
            return null;
        }
        Annotation[][] annotations = method.getParameterAnnotations();
        for (int i = 0; i < annotations.length && i < arguments.length; i++) {
            if (arguments[i] != null && !isParameter(annotations[i]) && !isContext(arguments[i])) {
                return arguments[i];
            }
        }
        return null;
    }

    private static boolean isParameter(Annotation[] annotations) {
        for (Annotation a : annotations) {
            Class<? extends Annotation> type = a.annotationType();
            if (type == PathParam.class || type == QueryParam.class || type == HeaderParam.class || type == CookieParam.class
                    || type == FormParam.class || type == MatrixParam.class || type == BeanParam.class || type == Context.class
                    || type.getName().startsWith("org.jboss.resteasy.reactive.Rest")) {
                return true;
            }
        }
        return false;
    }

    /** Objects RESTEasy injects without an annotation (UriInfo, the Vert.x request, the identity, ...). */
    private static boolean isContext(Object argument) {
        String type = argument.getClass().getName();
        return type.startsWith("jakarta.") || type.startsWith("io.vertx.") || type.startsWith("io.quarkus.")
                || type.startsWith("org.jboss.");
    }

    private static String path(Path path) {
        return path == null ? "" : path.value();
    }
}
