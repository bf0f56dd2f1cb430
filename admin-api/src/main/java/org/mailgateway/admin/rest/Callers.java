package org.mailgateway.admin.rest;

import jakarta.ws.rs.core.SecurityContext;
import java.security.Principal;

/** Who is calling: the name of the API key, recorded as {@code createdBy} of the entries it makes. */
final class Callers {

    /** The name used when the request carries no named identity (the single configured admin key). */
    static final String DEFAULT_KEY_NAME = "admin";

    private Callers() {
    }

    static String keyName(SecurityContext context) {
        Principal principal = context == null ? null : context.getUserPrincipal();
        return principal == null || principal.getName() == null || principal.getName().isBlank()
                ? DEFAULT_KEY_NAME : principal.getName();
    }
}
