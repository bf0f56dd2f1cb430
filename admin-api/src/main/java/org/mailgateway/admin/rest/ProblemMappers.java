package org.mailgateway.admin.rest;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every error leaves as application/problem+json, never as an HTML page or a stack trace. Authentication is
 * lazy ({@code quarkus.http.auth.proactive=false}), so a missing or wrong key and a role that may not also
 * arrive here as exceptions.
 */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);
    private static final String CHALLENGE = "Bearer realm=\"mail-gateway\"";

    @ServerExceptionMapper
    public Response problem(ProblemException e) {
        return Problem.response(e.status(), e.getMessage());
    }

    /** No key (or not a bearer key) on an endpoint that needs one. */
    @ServerExceptionMapper
    public Response anonymous(UnauthorizedException e) {
        return unauthorized("an API key is required: Authorization: Bearer <key>");
    }

    /** A key that is none of the configured ones. */
    @ServerExceptionMapper
    public Response wrongKey(AuthenticationFailedException e) {
        return unauthorized("the API key is not valid");
    }

    /** A valid key whose role may not do this. */
    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return Problem.response(Response.Status.FORBIDDEN, "this API key's role may not do this");
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        Response.Status status = Response.Status.fromStatusCode(e.getResponse().getStatus());
        return Problem.response(status == null ? Response.Status.BAD_REQUEST : status, e.getMessage());
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.error("request failed", e);
        return Problem.response(Response.Status.INTERNAL_SERVER_ERROR, "the request failed; the admin-api log has the cause");
    }

    private static Response unauthorized(String detail) {
        return Response.fromResponse(Problem.response(Response.Status.UNAUTHORIZED, detail))
                .header(HttpHeaders.WWW_AUTHENTICATE, CHALLENGE).build();
    }
}
