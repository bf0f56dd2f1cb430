package org.mailgateway.queue.delivery;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The transport map ({@code gateway.delivery.routes}): which next hop takes the mail of a recipient domain.
 * An entry is {@code domain=target}; {@code *} is the fallback. Domains match exactly and case-insensitively.
 * A target is either one or more fixed hosts separated by spaces, tried in order
 * ({@code example.org=[10.0.0.5]:25 [10.0.0.6]:25}, no MX lookup), or {@code mx} (the recipient domain's MX
 * hosts, looked up at each attempt; {@code mx:2525} uses another port than 25, for tests).
 */
public final class Routes {

    /** What the configuration says for a domain; for {@code mx} the domain is filled in per recipient. */
    private sealed interface Target {
    }

    private record Fixed(NextHop.Hosts hosts) implements Target {
    }

    private record MxLookup(int port) implements Target {
    }

    private final Map<String, Target> byDomain;
    private final Target fallback;

    private Routes(Map<String, Target> byDomain, Target fallback) {
        this.byDomain = Map.copyOf(byDomain);
        this.fallback = fallback;
    }

    /** @throws IllegalArgumentException naming the entry that is wrong */
    public static Routes parse(List<String> entries) {
        Map<String, Target> byDomain = new HashMap<>();
        Target fallback = null;
        for (String raw : entries) {
            String entry = raw.strip();
            if (entry.isEmpty()) {
                continue;
            }
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("route '" + entry + "' is not domain=[host]:port or domain=mx");
            }
            String domain = entry.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            Target target = target(entry.substring(eq + 1).strip());
            if (domain.equals("*")) {
                fallback = target;
            } else {
                byDomain.put(domain, target);
            }
        }
        return new Routes(byDomain, fallback);
    }

    private static Target target(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.equals("mx")) {
            return new MxLookup(NextHop.SMTP_PORT);
        }
        if (lower.startsWith("mx:")) {
            try {
                int port = Integer.parseInt(text.substring(3));
                if (port >= 1 && port <= 65535) {
                    return new MxLookup(port);
                }
            } catch (NumberFormatException e) {
                // falls through to the error below
            }
            throw new IllegalArgumentException("'" + text + "' is not mx:port");
        }
        if (text.isEmpty()) {
            throw new IllegalArgumentException("a route needs a target");
        }
        return new Fixed(new NextHop.Hosts(Arrays.stream(text.split("\\s+")).map(Destination::parse).toList()));
    }

    /** The next hop for a recipient address, or empty when no route matches. */
    public Optional<NextHop> forRecipient(String address) {
        String domain = NextHop.domainOf(address);
        Target target = byDomain.getOrDefault(domain, fallback);
        if (target instanceof Fixed fixed) {
            return Optional.of(fixed.hosts());
        }
        if (target instanceof MxLookup mx && !domain.isEmpty()) {
            return Optional.of(new NextHop.Mx(domain, mx.port()));
        }
        return Optional.empty();
    }
}
