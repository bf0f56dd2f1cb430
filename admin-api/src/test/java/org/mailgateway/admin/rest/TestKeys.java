package org.mailgateway.admin.rest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * API keys for tests, one per role. The key file {@code src/test/resources/test-api-keys} (the test profile's
 * {@code gateway.admin.keys-file}) holds their SHA-256; {@link #localAdmin()} is the key the service generated
 * into its data directory, as on a first local start.
 */
public final class TestKeys {

    private TestKeys() {
    }

    public static String viewer() {
        return "viewer-key-for-tests-only-7f3a9c2e5b1d4a86";
    }

    public static String operator() {
        return "operator-key-for-tests-only-2c8e4f1a9b7d3e50";
    }

    public static String admin() {
        return "admin-key-for-tests-only-9d1b6e3f7a2c8e44";
    }

    /** The generated {@code local-admin} key (role admin). */
    public static String localAdmin() {
        try {
            return Files.readString(Path.of("target/admin-api-test-data/admin-api-key")).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The key of a role by name: viewer, operator or admin. */
    public static String of(String role) {
        return switch (role) {
            case "viewer" -> viewer();
            case "operator" -> operator();
            case "admin" -> admin();
            default -> throw new IllegalArgumentException(role);
        };
    }
}
