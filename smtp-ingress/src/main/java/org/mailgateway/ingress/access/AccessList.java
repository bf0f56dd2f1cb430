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

    /** The block that refuses {@code client} at {@code now}, or empty when it may connect. */
    public Optional<BlockEntry> blockFor(InetAddress client, Instant now) {
        List<BlockEntry> matches = entries.matches(client);
        if (matches.isEmpty()) {
            return Optional.empty();
        }
        BlockEntry block = null;
        for (BlockEntry entry : matches) {
            if (!entry.activeAt(now)) {
                continue;
            }
            if (entry.kind() == BlockEntry.Kind.ALLOW) {
                return Optional.empty();
            }
            if (block == null) {
                block = entry; // longest prefix first
            }
        }
        return Optional.ofNullable(block);
    }

    /** Whether an active allow entry covers {@code client} (allowed clients skip the banner delay too). */
    public boolean isAllowed(InetAddress client, Instant now) {
        for (BlockEntry entry : entries.matches(client)) {
            if (entry.kind() == BlockEntry.Kind.ALLOW && entry.activeAt(now)) {
                return true;
            }
        }
        return false;
    }

    public int size() {
        return entries.size();
    }
}
