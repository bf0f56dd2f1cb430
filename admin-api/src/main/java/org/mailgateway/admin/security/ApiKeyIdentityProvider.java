package org.mailgateway.admin.security;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * A presented key becomes an identity: the key's name is the principal, its role and every role below it are
 * the roles, and the attribute {@value #ROLE_ATTRIBUTE} holds the key's own role (for the audit log). An
 * unknown key fails authentication (401).
 */
@ApplicationScoped
public class ApiKeyIdentityProvider implements IdentityProvider<TokenAuthenticationRequest> {

    /** The key's role as configured (the identity's roles include the implied ones as well). */
    public static final String ROLE_ATTRIBUTE = "mailgateway.key-role";

    private final ApiKeys keys;

    public ApiKeyIdentityProvider(ApiKeys keys) {
        this.keys = keys;
    }

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        return keys.identify(request.getToken().getToken()).map(found -> found
                .map(key -> (SecurityIdentity) QuarkusSecurityIdentity.builder(identity(key))
                        .addCredential(request.getToken())
                        .build())
                .orElseThrow(() -> new AuthenticationFailedException("the API key is not valid")));
    }

    /** The identity of a key: its name as principal, its role and the roles below it, its own role as attribute. */
    public static SecurityIdentity identity(ApiKey key) {
        return QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(key.name()))
                .addRoles(Roles.implied(key.role()))
                .addAttribute(ROLE_ATTRIBUTE, key.role())
                .build();
    }
}
