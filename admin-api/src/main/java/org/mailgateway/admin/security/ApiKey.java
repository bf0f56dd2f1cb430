package org.mailgateway.admin.security;

/** A known API key: who it belongs to (the principal name in the audit log) and its role. */
public record ApiKey(String name, String role) {
}
