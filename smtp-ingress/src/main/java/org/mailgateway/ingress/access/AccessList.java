package org.mailgateway.ingress.access;

import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.mailgateway.contracts.BlockEntry;
import org.mailgateway.contracts.Cidr;

/**
 * The block and allow entries from {@code policy.blocklist}, in memory, consulted for every new connection.
 * An active allow entry covering the client wins over any block; otherwise the most specific active block
 * applies. Expired entries are ignored at lookup time, so a block ends on time even if no tombstone comes.
 */
public final class AccessList {

    private final CidrMatcher<BlockEntry> entries = new CidrMatcher<>();

    /** Applies one record of the topic: an entry, or a tombstone ({@code entry == null}) for {@code cidr}. */
    public void apply(Cidr cidr, BlockEntry entry) {
        if (entry == null) {
            entries.remove(cidr);
        } else {
            entries.put(cidr, entry);
        }
    }

    /**
     * What the list says about one client at one moment.
     *
     * @param block   the block that refuses it, or null when it may connect
     * @param allowed an active allow entry covers it (allowed clients also skip the banner delay and the per-IP limit)
     */
    public record Access(BlockEntry block, boolean allowed) {

        static final Access NONE = new Access(null, false);
    }

    /** One lookup for everything a new connection needs to know. */
    public Access check(InetAddress client, Instant now) {
        List<BlockEntry> matches = entries.matches(client);
        if (matches.isEmpty()) {
            return Access.NONE;
        }
        BlockEntry block = null;
        for (BlockEntry entry : matches) {
            if (!entry.activeAt(now)) {
                continue;
            }
            if (entry.kind() == BlockEntry.Kind.ALLOW) {
                return new Access(null, true);
            }
            if (block == null) {
                block = entry; // longest prefix first
            }
        }
        return new Access(block, false);
    }

    /** The block that refuses {@code client} at {@code now}, or empty when it may connect. */
    public Optional<BlockEntry> blockFor(InetAddress client, Instant now) {
        return Optional.ofNullable(check(client, now).block());
    }

    /** Whether an active allow entry covers {@code client}. */
    public boolean isAllowed(InetAddress client, Instant now) {
        return check(client, now).allowed();
    }

    public int size() {
        return entries.size();
    }
}
