package org.mailgateway.queue.delivery;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The transport map ({@code gateway.delivery.routes}): which next hop takes the mail of a recipient domain.
 * Entries look like {@code example.org=[10.0.0.5]:25}; {@code *} is the fallback. Domains match exactly and
 * case-insensitively.
 */
public final class Routes {

    private final Map<String, Destination> byDomain;
    private final Destination fallback;

    private Routes(Map<String, Destination> byDomain, Destination fallback) {
        this.byDomain = Map.copyOf(byDomain);
        this.fallback = fallback;
    }

    /** @throws IllegalArgumentException naming the entry that is wrong */
    public static Routes parse(List<String> entries) {
        Map<String, Destination> byDomain = new HashMap<>();
        Destination fallback = null;
        for (String raw : entries) {
            String entry = raw.strip();
            if (entry.isEmpty()) {
                continue;
            }
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("route '" + entry + "' is not domain=[host]:port");
            }
            String domain = entry.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            Destination destination = Destination.parse(entry.substring(eq + 1).strip());
            if (domain.equals("*")) {
                fallback = destination;
            } else {
                byDomain.put(domain, destination);
            }
        }
        return new Routes(byDomain, fallback);
    }

    /** The next hop for a recipient address, or empty when no route matches. */
    public Optional<Destination> forRecipient(String address) {
        int at = address.lastIndexOf('@');
        String domain = at < 0 ? "" : address.substring(at + 1).toLowerCase(Locale.ROOT);
        Destination exact = byDomain.get(domain);
        return Optional.ofNullable(exact != null ? exact : fallback);
    }
}
