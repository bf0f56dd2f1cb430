package org.mailgateway.ingress.auth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * The client side of one AUTH command (RFC 4954) for the PLAIN (RFC 4616) and LOGIN mechanisms, as a small
 * state machine: {@link #start} with the command's argument, then {@link #respond} with each line the
 * client sends after a {@code 334} challenge, until the outcome is credentials to check or a failure.
 * Pure: no I/O, never throws on client input.
 */
public final class SaslExchange {

    /** What to do next. */
    public sealed interface Step {
    }

    /** Send {@code 334 <challenge>} (already base64) and feed the client's next line to {@code next.respond}. */
    public record Challenge(String challenge, SaslExchange next) implements Step {
    }

    /** The client gave a user name and password: check them. */
    public record Credentials(String mechanism, String user, String password) implements Step {
    }

    /** The exchange ended without credentials: {@code code enhanced text}. */
    public record Failed(int code, String enhancedCode, String text) implements Step {
    }

    private static final String USERNAME = b64("Username:");
    private static final String PASSWORD = b64("Password:");

    private final String mechanism;
    private String user;

    private SaslExchange(String mechanism) {
        this.mechanism = mechanism;
    }

    /** The mechanisms offered in EHLO, in order of preference. */
    public static final String MECHANISMS = "PLAIN LOGIN";

    /** @param argument what followed {@code AUTH }: the mechanism and an optional initial response */
    public static Step start(String argument) {
        String[] parts = argument.strip().split(" +");
        String mechanism = parts[0].toUpperCase(Locale.ROOT);
        if (parts[0].isEmpty() || parts.length > 2) {
            return new Failed(501, "5.5.4", "Syntax: AUTH mechanism [initial-response]");
        }
        SaslExchange sasl = new SaslExchange(mechanism);
        switch (mechanism) {
            case "PLAIN":
                return parts.length == 2 ? sasl.plain(parts[1]) : new Challenge("", sasl);
            case "LOGIN":
                if (parts.length == 2) {
                    return sasl.loginUser(parts[1]);
                }
                return new Challenge(USERNAME, sasl);
            default:
                return new Failed(504, "5.5.4", "Unrecognized authentication type");
        }
    }

    /** The client's answer to the last challenge. */
    public Step respond(String line) {
        if (line.equals("*")) {
            return new Failed(501, "5.0.0", "Authentication cancelled");
        }
        if (mechanism.equals("PLAIN")) {
            return plain(line);
        }
        return user == null ? loginUser(line) : loginPassword(line);
    }

    private Step plain(String response) {
        byte[] decoded = decode(response);
        if (decoded == null) {
            return badBase64();
        }
        String text = new String(decoded, StandardCharsets.UTF_8);
        String[] fields = text.split("\u0000", -1);
        if (fields.length != 3 || fields[1].isEmpty()) {
            return new Failed(501, "5.5.2", "Malformed PLAIN response");
        }
        if (!fields[0].isEmpty() && !fields[0].equals(fields[1])) {
            return new Failed(535, "5.7.8", "Authentication credentials invalid");
        }
        return new Credentials("PLAIN", fields[1], fields[2]);
    }

    private Step loginUser(String response) {
        byte[] decoded = decode(response);
        if (decoded == null) {
            return badBase64();
        }
        user = new String(decoded, StandardCharsets.UTF_8);
        return new Challenge(PASSWORD, this);
    }

    private Step loginPassword(String response) {
        byte[] decoded = decode(response);
        if (decoded == null) {
            return badBase64();
        }
        return new Credentials("LOGIN", user, new String(decoded, StandardCharsets.UTF_8));
    }

    private static Failed badBase64() {
        return new Failed(501, "5.5.2", "Cannot decode response");
    }

    private static byte[] decode(String base64) {
        if (base64.equals("=")) {
            return new byte[0];
        }
        try {
            return Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }
}
