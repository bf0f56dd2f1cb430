package org.mailgateway.admin.security;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.mailgateway.admin.rest.Problem;

/**
 * Every call under {@code /api/} needs {@code Authorization: Bearer <key>}; without a valid key the answer is
 * 401 with a problem+json body and a {@code WWW-Authenticate} challenge. Health, metrics and the OpenAPI
 * document ({@code /q/...}) stay open for probes and tools.
 */
public class ApiKeyFilter {

    private final ApiKeys keys;

    public ApiKeyFilter(ApiKeys keys) {
        this.keys = keys;
    }

    @ServerRequestFilter
    public Optional<Response> requireKey(ContainerRequestContext request) {
        if (!request.getUriInfo().getPath().startsWith("/api/")) {
            return Optional.empty();
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.of(unauthorized("an API key is required: Authorization: Bearer <key>"));
        }
        if (!keys.isValid(header.substring(7).strip())) {
            return Optional.of(unauthorized("the API key is not valid"));
        }
        return Optional.empty();
    }

    private static Response unauthorized(String detail) {
        Response problem = Problem.response(Response.Status.UNAUTHORIZED, detail);
        return Response.fromResponse(problem).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"mail-gateway\"").build();
    }
}
