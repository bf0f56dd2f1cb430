package org.mailgateway.ingress.access;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.mailgateway.contracts.Cidr;

/**
 * Values keyed by CIDR, looked up by address: every entry whose network contains the address, longest
 * prefix first. Safe for one writer and many readers (the event loops) without locks.
 *
 * <p>How: a hash map from network to value, and a count of entries per prefix length. A lookup masks the
 * address to each prefix length that has entries (usually a handful: /32, /24, ...) and probes the map, so
 * it costs at most 33 (IPv4) or 129 (IPv6) hash probes whatever the number of entries.
 */
public final class CidrMatcher<V> {

    private final Map<Cidr, V> entries = new ConcurrentHashMap<>();
    private final AtomicIntegerArray v4Lengths = new AtomicIntegerArray(33);
    private final AtomicIntegerArray v6Lengths = new AtomicIntegerArray(129);

    public void put(Cidr cidr, V value) {
        if (entries.put(cidr, value) == null) {
            lengths(cidr).incrementAndGet(cidr.prefixLength());
        }
    }

    public void remove(Cidr cidr) {
        if (entries.remove(cidr) != null) {
            lengths(cidr).decrementAndGet(cidr.prefixLength());
        }
    }

    /** Every value whose CIDR contains {@code address}, the longest prefix first. */
    public List<V> matches(InetAddress address) {
        InetAddress plain = IpAddresses.unmapped(address);
        AtomicIntegerArray lengths = plain.getAddress().length == 4 ? v4Lengths : v6Lengths;
        List<V> found = new ArrayList<>(2);
        for (int prefix = lengths.length() - 1; prefix >= 0; prefix--) {
            if (lengths.get(prefix) > 0) {
                V value = entries.get(Cidr.around(plain, prefix));
                if (value != null) {
                    found.add(value);
                }
            }
        }
        return found;
    }

    public int size() {
        return entries.size();
    }

    private AtomicIntegerArray lengths(Cidr cidr) {
        return cidr.network().length == 4 ? v4Lengths : v6Lengths;
    }
}
