package org.mailgateway.admin.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.mailgateway.contracts.Cidr;

/**
 * The active block entries as text a perimeter firewall loads. A range inside another exported range is left
 * out (nftables refuses overlapping intervals in one set, and it would be blocked anyway).
 *
 * <ul>
 *   <li>{@code plain}: one CIDR per line.</li>
 *   <li>{@code nftables}: for {@code nft -f}: creates table {@code inet mailgateway} with the interval sets
 *       {@code blocked_ipv4} and {@code blocked_ipv6} if missing, empties them and adds the entries, in one
 *       transaction. A rule such as {@code ip saddr @blocked_ipv4 drop} in the operator's own chain uses them.</li>
 *   <li>{@code ipset}: for {@code ipset -exist restore}: {@code hash:net} sets {@code mailgateway-blocked-v4}
 *       (family inet) and {@code mailgateway-blocked-v6} (family inet6), flushed and filled.</li>
 * </ul>
 */
public final class FirewallExport {

    public static final String TABLE = "mailgateway";
    public static final String NFT_SET_V4 = "blocked_ipv4";
    public static final String NFT_SET_V6 = "blocked_ipv6";
    public static final String IPSET_V4 = "mailgateway-blocked-v4";
    public static final String IPSET_V6 = "mailgateway-blocked-v6";

    /** The formats of {@code GET /blocklist/export?format=}. */
    public enum Format {
        PLAIN, NFTABLES, IPSET;

        /** @throws IllegalArgumentException for a name that is not a format */
        public static Format parse(String name) {
            if (name == null || name.isBlank()) {
                return PLAIN;
            }
            try {
                return valueOf(name.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("format must be plain, nftables or ipset, not '" + name + "'");
            }
        }
    }

    private FirewallExport() {
    }

    /** The text of {@code ranges} (any order, duplicates allowed) in {@code format}, stamped with {@code now}. */
    public static String render(Format format, List<Cidr> ranges, Instant now) {
        List<Cidr> outer = outermost(ranges);
        List<String> v4 = outer.stream().filter(c -> c.network().length == 4).map(Cidr::toString).toList();
        List<String> v6 = outer.stream().filter(c -> c.network().length == 16).map(Cidr::toString).toList();
        String header = "# mail gateway block list: " + outer.size() + " active ranges at " + now + "\n";
        return switch (format) {
            case PLAIN -> header + outer.stream().map(c -> c + "\n").collect(Collectors.joining());
            case NFTABLES -> header + nftables(v4, v6);
            case IPSET -> header + ipset(v4, v6);
        };
    }

    private static String nftables(List<String> v4, List<String> v6) {
        StringBuilder out = new StringBuilder();
        out.append("table inet ").append(TABLE).append(" {\n");
        out.append("\tset ").append(NFT_SET_V4).append(" {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t}\n");
        out.append("\tset ").append(NFT_SET_V6).append(" {\n\t\ttype ipv6_addr\n\t\tflags interval\n\t}\n");
        out.append("}\n");
        out.append("flush set inet ").append(TABLE).append(' ').append(NFT_SET_V4).append('\n');
        out.append("flush set inet ").append(TABLE).append(' ').append(NFT_SET_V6).append('\n');
        // an empty element list is a syntax error: only sets with members get an add element line
        if (!v4.isEmpty()) {
            out.append("add element inet ").append(TABLE).append(' ').append(NFT_SET_V4)
                    .append(" { ").append(String.join(", ", v4)).append(" }\n");
        }
        if (!v6.isEmpty()) {
            out.append("add element inet ").append(TABLE).append(' ').append(NFT_SET_V6)
                    .append(" { ").append(String.join(", ", v6)).append(" }\n");
        }
        return out.toString();
    }

    private static String ipset(List<String> v4, List<String> v6) {
        StringBuilder out = new StringBuilder();
        out.append("create ").append(IPSET_V4).append(" hash:net family inet\n");
        out.append("create ").append(IPSET_V6).append(" hash:net family inet6\n");
        out.append("flush ").append(IPSET_V4).append('\n');
        out.append("flush ").append(IPSET_V6).append('\n');
        v4.forEach(c -> out.append("add ").append(IPSET_V4).append(' ').append(c).append('\n'));
        v6.forEach(c -> out.append("add ").append(IPSET_V6).append(' ').append(c).append('\n'));
        return out.toString();
    }

    /** The ranges not contained in another one of the list, sorted (IPv4 first, by address), without duplicates. */
    static List<Cidr> outermost(List<Cidr> ranges) {
        List<Cidr> sorted = ranges.stream().distinct().sorted(BlocklistView::compare).toList();
        List<Cidr> out = new ArrayList<>();
        for (Cidr candidate : sorted) {
            // sorted by network, wider first: a range is covered only by one kept before it
            boolean covered = out.stream().anyMatch(kept -> contains(kept, candidate));
            if (!covered) {
                out.add(candidate);
            }
        }
        return out;
    }

    /** Whether {@code inner} lies inside {@code outer} (or is the same range). */
    static boolean contains(Cidr outer, Cidr inner) {
        if (outer.network().length != inner.network().length || outer.prefixLength() > inner.prefixLength()) {
            return false;
        }
        try {
            return outer.contains(java.net.InetAddress.getByAddress(inner.network()));
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
