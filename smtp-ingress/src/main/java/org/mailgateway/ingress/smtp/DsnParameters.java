package org.mailgateway.ingress.smtp;

import java.util.Locale;
import java.util.Set;

/** Checks of the RFC 3461 DSN parameters on MAIL ({@code ENVID}) and RCPT ({@code NOTIFY}, {@code ORCPT}). */
final class DsnParameters {

    private static final Set<String> NOTIFY = Set.of("SUCCESS", "FAILURE", "DELAY");

    private DsnParameters() {
    }

    /** {@code NEVER}, or a comma-separated subset of SUCCESS, FAILURE, DELAY. */
    static boolean validNotify(String value) {
        String upper = value.toUpperCase(Locale.ROOT);
        if (upper.equals("NEVER")) {
            return true;
        }
        String[] parts = upper.split(",", -1);
        for (String part : parts) {
            if (!NOTIFY.contains(part)) {
                return false;
            }
        }
        return parts.length <= 3;
    }

    /** {@code addr-type ";" xtext}, e.g. {@code rfc822;user@example.org}, at most 500 characters. */
    static boolean validOrcpt(String value) {
        int semicolon = value.indexOf(';');
        return semicolon > 0 && value.length() <= 500 && value.substring(0, semicolon).chars().allMatch(c -> c > 32 && c < 127)
                && isXtext(value.substring(semicolon + 1));
    }

    /** xtext of at most 100 characters (RFC 3461 section 4.4). */
    static boolean validEnvid(String value) {
        return value.length() <= 100 && isXtext(value);
    }

    /** xtext: printable ASCII except {@code +} and {@code =}, and {@code +XX} hex escapes (RFC 3461 section 4). */
    private static boolean isXtext(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '+') {
                if (i + 2 >= value.length() || Character.digit(value.charAt(i + 1), 16) < 0
                        || Character.digit(value.charAt(i + 2), 16) < 0) {
                    return false;
                }
                i += 2;
            } else if (c < 33 || c > 126 || c == '=') {
                return false;
            }
        }
        return !value.isEmpty();
    }
}
