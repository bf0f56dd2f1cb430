package org.mailgateway.admin.security;

import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.Cookie;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/**
 * The console's login cookie ({@value #COOKIE}): a session id of {@link ConsoleSessions}, honoured only on console
 * pages ({@value #PATH}...). Under {@code /api/} the cookie means nothing: the API takes only
 * {@code Authorization: Bearer <key>} ({@link ApiKeyAuthenticationMechanism}), so a page elsewhere cannot use a
 * logged-in operator's browser against the API.
 */
@ApplicationScoped
public class ConsoleCookieAuthenticationMechanism implements HttpAuthenticationMechanism {

    public static final String COOKIE = "mailgateway_console";
    public static final String PATH = "/console";

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identities) {
        String path = context.normalizedPath();
        Cookie cookie = context.request().getCookie(COOKIE);
        if (cookie == null || !(path.equals(PATH) || path.startsWith(PATH + "/"))) {
            return Uni.createFrom().nullItem();
        }
        return identities.authenticate(new ConsoleSessionRequest(cookie.getValue()));
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(303, "Location", PATH + "/login"));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(ConsoleSessionRequest.class);
    }

    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
        return Uni.createFrom().item(new HttpCredentialTransport(HttpCredentialTransport.Type.COOKIE, COOKIE));
    }
}
