package org.mailgateway.policy.blocking;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import org.mailgateway.contracts.Cidr;

/** A fixed list of CIDRs from configuration, asked "which of you contains this address?". */
public final class Networks {

    public static final Networks NONE = new Networks(List.of());

    private final List<Cidr> cidrs;

    public Networks(List<Cidr> cidrs) {
        this.cidrs = List.copyOf(cidrs);
    }

    /** @throws IllegalArgumentException naming the entry that is not a CIDR */
    public static Networks parse(Optional<List<String>> entries) {
        return new Networks(entries.orElse(List.of()).stream().map(String::trim).filter(s -> !s.isEmpty()).map(Cidr::parse).toList());
    }

    /** The first network that contains {@code ip}, or empty (also for text that is not an address). */
    public Optional<Cidr> find(String ip) {
        if (cidrs.isEmpty()) {
            return Optional.empty();
        }
        InetAddress address = address(ip);
        if (address == null) {
            return Optional.empty();
        }
        return cidrs.stream().filter(c -> c.contains(address)).findFirst();
    }

    /** The first network that overlaps {@code range} (contains it, or lies inside it), or empty. */
    public Optional<Cidr> overlapping(Cidr range) {
        return cidrs.stream().filter(c -> overlap(c, range)).findFirst();
    }

    public static boolean overlap(Cidr a, Cidr b) {
        InetAddress aNet = address(a);
        InetAddress bNet = address(b);
        return aNet.getAddress().length == bNet.getAddress().length && (a.contains(bNet) || b.contains(aNet));
    }

    /** The address of a literal, or null when {@code ip} is not one (never a DNS lookup). */
    public static InetAddress address(String ip) {
        byte[] bytes = Cidr.addressOrNull(ip);
        try {
            return bytes == null ? null : InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            return null; // not reached: four or sixteen bytes
        }
    }

    private static InetAddress address(Cidr cidr) {
        try {
            return InetAddress.getByAddress(cidr.network());
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
