package org.mailgateway.admin.rest;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.mailgateway.admin.console.Console;
import org.mailgateway.admin.console.ConsoleErrors;

/**
 * Every error of the API leaves as application/problem+json, never as an HTML page or a stack trace; the console's
 * pages ({@code /console/...}) get an HTML page with the same detail instead, or the login page when not logged in. Authentication is
 * lazy ({@code quarkus.http.auth.proactive=false}), so a missing or wrong key and a role that may not also
 * arrive here as exceptions.
 */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);
    private static final String CHALLENGE = "Bearer realm=\"mail-gateway\"";

    @ServerExceptionMapper
    public Response problem(ProblemException e, UriInfo uri) {
        return problem(uri, e.status(), e.getMessage());
    }

    /** No key (or not a bearer key) on an endpoint that needs one; on a console page: to the login page. */
    @ServerExceptionMapper
    public Response anonymous(UnauthorizedException e, UriInfo uri) {
        return unauthorized(uri, "an API key is required: Authorization: Bearer <key>");
    }

    /** A key that is none of the configured ones (or a console session that has ended). */
    @ServerExceptionMapper
    public Response wrongKey(AuthenticationFailedException e, UriInfo uri) {
        return unauthorized(uri, "the API key is not valid");
    }

    /** A valid key whose role may not do this. */
    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri) {
        return problem(uri, Response.Status.FORBIDDEN, "this API key's role may not do this");
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, UriInfo uri) {
        Response.Status status = Response.Status.fromStatusCode(e.getResponse().getStatus());
        return problem(uri, status == null ? Response.Status.BAD_REQUEST : status, e.getMessage());
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e, UriInfo uri) {
        LOG.error("request failed", e);
        return problem(uri, Response.Status.INTERNAL_SERVER_ERROR, "the request failed; the admin-api log has the cause");
    }

    /** A problem+json answer, or the console's error page for a console path. */
    private static Response problem(UriInfo uri, Response.Status status, String detail) {
        return Console.isConsole(uri.getPath()) ? ConsoleErrors.page(status, detail) : Problem.response(status, detail);
    }

    private static Response unauthorized(UriInfo uri, String detail) {
        if (Console.isConsole(uri.getPath())) {
            return ConsoleErrors.toLogin(uri);
        }
        return Response.fromResponse(Problem.response(Response.Status.UNAUTHORIZED, detail))
                .header(HttpHeaders.WWW_AUTHENTICATE, CHALLENGE).build();
    }
}
