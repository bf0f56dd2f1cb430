package org.mailgateway.admin.service;

import jakarta.enterprise.context.ApplicationScoped;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.mailgateway.contracts.BlockEntry;
import org.mailgateway.contracts.Cidr;

/**
 * The current block and allow entries, as admin-api knows them: what it read from {@code policy.blocklist}
 * plus what it wrote itself and Kafka acknowledged (read-your-writes). Each change carries its place in the
 * topic (partition, offset), and an older place never overwrites a newer one, so the reader catching up with
 * an older record cannot undo a write this instance just made.
 */
@ApplicationScoped
public class BlocklistView {

    /** A change at a place in the topic; {@code entry} null = removed. */
    private record Versioned(BlockEntry entry, int partition, long offset) {
    }

    private final Map<Cidr, Versioned> entries = new HashMap<>();

    /**
     * Applies a record read or written at {@code (partition, offset)}; {@code entry} null removes the CIDR.
     * Returns false when a newer change of the same CIDR is already applied.
     */
    public synchronized boolean apply(Cidr cidr, BlockEntry entry, int partition, long offset) {
        Versioned current = entries.get(cidr);
        if (current != null && current.partition() == partition && current.offset() >= offset) {
            return false;
        }
        entries.put(cidr, new Versioned(entry, partition, offset));
        return true;
    }

    /** The entry for exactly this CIDR, or null. */
    public synchronized BlockEntry get(Cidr cidr) {
        Versioned v = entries.get(cidr);
        return v == null ? null : v.entry();
    }

    /** Every entry (active or expired), most specific first, then by address. */
    public synchronized List<BlockEntry> all() {
        List<BlockEntry> out = new ArrayList<>();
        for (Versioned v : entries.values()) {
            if (v.entry() != null) {
                out.add(v.entry());
            }
        }
        out.sort(Comparator.comparing((BlockEntry e) -> Cidr.parse(e.cidr()), BlocklistView::compare));
        return out;
    }

    /** The entries whose range contains {@code address}, most specific first. */
    public List<BlockEntry> covering(InetAddress address) {
        return all().stream().filter(e -> Cidr.parse(e.cidr()).contains(address))
                .sorted(Comparator.comparingInt((BlockEntry e) -> Cidr.parse(e.cidr()).prefixLength()).reversed())
                .toList();
    }

    /** IPv4 before IPv6, then by network address, then the wider range first. */
    static int compare(Cidr a, Cidr b) {
        byte[] x = a.network();
        byte[] y = b.network();
        if (x.length != y.length) {
            return Integer.compare(x.length, y.length);
        }
        for (int i = 0; i < x.length; i++) {
            int c = Integer.compare(x[i] & 0xff, y[i] & 0xff);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.prefixLength(), b.prefixLength());
    }
}
