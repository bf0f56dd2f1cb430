package org.mailgateway.admin.security;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** The console cookie's session id, to be turned into the identity of the key that logged in. */
public class ConsoleSessionRequest extends BaseAuthenticationRequest {

    private final String sessionId;

    public ConsoleSessionRequest(String sessionId) {
        this.sessionId = sessionId;
    }

    public String sessionId() {
        return sessionId;
    }
}
