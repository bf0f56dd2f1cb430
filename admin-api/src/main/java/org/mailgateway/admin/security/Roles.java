package org.mailgateway.admin.security;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The roles an API key can have, for {@code @RolesAllowed}. Each role includes the ones below it:
 * {@code admin} ⊇ {@code operator} ⊇ {@code viewer}; an identity carries its role and every role it implies, so
 * an endpoint names only the lowest role that may call it.
 */
public final class Roles {

    /** Reads: lists, messages, raw bytes, exports. */
    public static final String VIEWER = "viewer";
    /** Acts on mail and networks: release, delete, flush, block and allow. */
    public static final String OPERATOR = "operator";
    /** Everything, including the audit log and the keys. */
    public static final String ADMIN = "admin";

    /** Lowest first. */
    public static final List<String> ALL = List.of(VIEWER, OPERATOR, ADMIN);

    private Roles() {
    }

    /** The role written in a key file, in any case. */
    public static String parse(String text) {
        String role = text.strip().toLowerCase(Locale.ROOT);
        if (!ALL.contains(role)) {
            throw new IllegalArgumentException("unknown role '" + text + "' (one of " + String.join(", ", ALL) + ")");
        }
        return role;
    }

    /** {@code role} and every role below it. */
    public static Set<String> implied(String role) {
        return Set.copyOf(ALL.subList(0, ALL.indexOf(role) + 1));
    }
}
