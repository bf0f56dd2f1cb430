package org.mailgateway.queue.delivery;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Where the mail of one recipient goes next. Its {@link #label()} is stored with each delivery: it is the
 * "destination" that the deferred queue is grouped by and that an operator flushes.
 */
public sealed interface NextHop {

    /** The default SMTP port of MX hosts. */
    int SMTP_PORT = 25;

    String label();

    /** Fixed hosts, tried in order (no MX lookup). Label: {@code host:port}, several separated by a space. */
    record Hosts(List<Destination> hosts) implements NextHop {

        public Hosts {
            hosts = List.copyOf(hosts);
            if (hosts.isEmpty()) {
                throw new IllegalArgumentException("a route needs at least one host");
            }
        }

        @Override
        public String label() {
            return hosts.stream().map(Destination::toString).collect(Collectors.joining(" "));
        }
    }

    /** The MX hosts of a recipient domain, looked up at each attempt. Label: {@code mx:domain} ({@code mx:domain:port} off port 25). */
    record Mx(String domain, int port) implements NextHop {

        @Override
        public String label() {
            return "mx:" + domain + (port == SMTP_PORT ? "" : ":" + port);
        }
    }

    /** Reads a stored label back. @throws IllegalArgumentException when it is neither form */
    static NextHop parseLabel(String label) {
        if (label.startsWith("mx:")) {
            String rest = label.substring(3);
            int colon = rest.indexOf(':');
            return colon < 0 ? new Mx(rest, SMTP_PORT)
                    : new Mx(rest.substring(0, colon), Integer.parseInt(rest.substring(colon + 1)));
        }
        return new Hosts(Arrays.stream(label.trim().split("\\s+")).map(Destination::parse).toList());
    }

    /** The domain of an address, lower case; empty when it has none. */
    static String domainOf(String address) {
        int at = address.lastIndexOf('@');
        return at < 0 ? "" : address.substring(at + 1).toLowerCase(Locale.ROOT);
    }
}
