package org.mailgateway.admin.console;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import org.mailgateway.admin.audit.AuditBodyInterceptor;
import org.mailgateway.admin.rest.ProblemException;
import org.mailgateway.admin.security.ApiKeyIdentityProvider;
import org.mailgateway.admin.security.ConsoleCookieAuthenticationMechanism;
import org.mailgateway.admin.security.ConsoleSessionIdentityProvider;
import org.mailgateway.admin.security.ConsoleSessions;
import org.mailgateway.admin.security.Roles;

/**
 * What every console page and form shares: who is logged in (for the header and which buttons to show), the CSRF
 * check of a form, the answer after a form (a notice for the next page and 303 See Other), the login cookie.
 */
@ApplicationScoped
public class Console {

    /** The path under which the console lives. */
    public static final String ROOT = ConsoleCookieAuthenticationMechanism.PATH;

    /**
     * What the page frame shows: the page title, the section highlighted in the menu, the key's name and role,
     * whether it may act ({@code operator}: release, delete, flush, block), whether it manages keys ({@code admin}),
     * the CSRF token for forms, and the notice of the last action (once).
     */
    public record Ui(String title, String section, String user, String role, boolean operator, boolean admin, String csrf,
            String notice) {
    }

    private final ConsoleSessions sessions;

    public Console(ConsoleSessions sessions) {
        this.sessions = sessions;
    }

    /** The frame data of a page for the caller (taking the notice of its last action). */
    public Uni<Ui> ui(SecurityIdentity caller, String section, String title) {
        ConsoleSessions.Session session = session(caller);
        String role = caller.getAttribute(ApiKeyIdentityProvider.ROLE_ATTRIBUTE);
        Uni<String> notice = session == null ? Uni.createFrom().nullItem() : sessions.takeNotice(session);
        return notice.map(text -> new Ui(title, section, caller.getPrincipal().getName(), role, caller.hasRole(Roles.OPERATOR),
                caller.hasRole(Roles.ADMIN), session == null ? "" : session.csrfToken(), text));
    }

    /**
     * Refuses (403) a form without this session's CSRF token. A form can only come from a page of this console
     * rendered for this session; the SameSite=Strict cookie is the second guard.
     */
    public void checkCsrf(SecurityIdentity caller, String token) {
        ConsoleSessions.Session session = session(caller);
        if (session == null || token == null || !MessageDigest.isEqual(session.csrfToken().getBytes(StandardCharsets.UTF_8),
                token.getBytes(StandardCharsets.UTF_8))) {
            throw new ProblemException(Response.Status.FORBIDDEN,
                    "this form did not come from your console session (reload the page and try again)");
        }
    }

    /**
     * Puts what a form acts on into the audit record of this request (the CSRF token is never part of it); the
     * form's path parameters are recorded anyway.
     */
    public static void audit(ContainerRequestContext request, Object... namesAndValues) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
            fields.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        request.setProperty(AuditBodyInterceptor.BODY, fields);
    }

    /** After a form did its work: the next page shows {@code notice} once; the browser goes there with a GET. */
    public Uni<Response> done(SecurityIdentity caller, String notice, String location) {
        ConsoleSessions.Session session = session(caller);
        Uni<Void> noted = session == null ? Uni.createFrom().voidItem() : sessions.notice(session, notice);
        return noted.replaceWith(() -> Response.seeOther(URI.create(location)).build());
    }

    /** The login cookie: HttpOnly, SameSite=Strict, only under /console, Secure when the request came over TLS. */
    public static NewCookie cookie(UriInfo uri, String value, long maxAgeSeconds) {
        return new NewCookie.Builder(ConsoleCookieAuthenticationMechanism.COOKIE)
                .value(value)
                .path(ROOT)
                .httpOnly(true)
                .secure("https".equalsIgnoreCase(uri.getRequestUri().getScheme()))
                .sameSite(NewCookie.SameSite.STRICT)
                .maxAge((int) Math.min(Integer.MAX_VALUE, maxAgeSeconds))
                .build();
    }

    /** Whether a request path is the console's. */
    public static boolean isConsole(String path) {
        return path.equals(ROOT) || path.startsWith(ROOT + "/");
    }

    static ConsoleSessions.Session session(SecurityIdentity caller) {
        return caller.getAttribute(ConsoleSessionIdentityProvider.SESSION_ATTRIBUTE);
    }

    /** A value for a link's query string. */
    static String query(String value) {
        return value == null ? "" : java.net.URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
