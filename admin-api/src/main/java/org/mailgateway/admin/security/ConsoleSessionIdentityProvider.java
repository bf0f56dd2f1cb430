package org.mailgateway.admin.security;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * A console session id becomes the identity of the key that logged in: the same principal, roles and key role as
 * {@link ApiKeyIdentityProvider} gives for the key itself, plus the session ({@value #SESSION_ATTRIBUTE}) for the
 * CSRF check and the notices. An unknown or expired session fails authentication (the console answers with its
 * login page).
 */
@ApplicationScoped
public class ConsoleSessionIdentityProvider implements IdentityProvider<ConsoleSessionRequest> {

    /** The {@link ConsoleSessions.Session} an identity came from. */
    public static final String SESSION_ATTRIBUTE = "mailgateway.console-session";

    private final ConsoleSessions sessions;

    public ConsoleSessionIdentityProvider(ConsoleSessions sessions) {
        this.sessions = sessions;
    }

    @Override
    public Class<ConsoleSessionRequest> getRequestType() {
        return ConsoleSessionRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(ConsoleSessionRequest request, AuthenticationRequestContext context) {
        return sessions.find(request.sessionId()).map(found -> found
                .map(session -> (SecurityIdentity) QuarkusSecurityIdentity
                        .builder(ApiKeyIdentityProvider.identity(session.key()))
                        .addAttribute(SESSION_ATTRIBUTE, session)
                        .build())
                .orElseThrow(() -> new AuthenticationFailedException("the console session has ended")));
    }
}
