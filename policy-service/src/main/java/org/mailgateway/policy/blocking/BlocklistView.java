package org.mailgateway.policy.blocking;

import java.net.InetAddress;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mailgateway.contracts.BlockEntry;
import org.mailgateway.contracts.Cidr;

/**
 * What {@code policy.blocklist} says, read from its beginning at every start: the latest entry per CIDR, block
 * and allow, automatic and manual, expired ones included (they are the history that repeat offences escalate
 * from). Entries this instance publishes are applied at once, before they come back from the topic.
 */
public final class BlocklistView {

    private final Map<String, BlockEntry> entries = new HashMap<>();

    /** A record from the topic: an entry, or a tombstone ({@code entry == null}) that removes the key. */
    public synchronized void apply(String key, BlockEntry entry) {
        if (entry == null) {
            entries.remove(key);
        } else {
            entries.put(key, entry);
        }
    }

    /** Removes {@code entry} if it is still the latest for its CIDR. */
    public synchronized void remove(BlockEntry entry) {
        entries.remove(entry.cidr(), entry);
    }

    public synchronized Optional<BlockEntry> entry(Cidr cidr) {
        return Optional.ofNullable(entries.get(cidr.toString()));
    }

    /** An active allow entry that contains {@code address}. */
    public synchronized Optional<BlockEntry> allowing(InetAddress address, Instant now) {
        return find(address, now, BlockEntry.Kind.ALLOW);
    }

    /** An active block entry that contains {@code address}. */
    public synchronized Optional<BlockEntry> blocking(InetAddress address, Instant now) {
        return find(address, now, BlockEntry.Kind.BLOCK);
    }

    /** Active allow entries that overlap {@code range} (a single allowed address inside it is enough). */
    public synchronized List<BlockEntry> allowsOverlapping(Cidr range, Instant now) {
        return entries.values().stream()
                .filter(e -> e.kind() == BlockEntry.Kind.ALLOW && e.activeAt(now))
                .filter(e -> Networks.overlap(Cidr.parse(e.cidr()), range))
                .toList();
    }

    /** Single addresses inside {@code range} that this service blocked automatically since {@code since}. */
    public synchronized List<String> policyBlockedAddressesIn(Cidr range, Instant since) {
        return entries.values().stream()
                .filter(e -> e.kind() == BlockEntry.Kind.BLOCK && e.source() == BlockEntry.Source.POLICY)
                .filter(e -> !e.createdAt().isBefore(since))
                .map(e -> Cidr.parse(e.cidr()))
                .filter(c -> c.prefixLength() == c.network().length * 8 && Networks.overlap(c, range))
                .map(c -> c.toString().substring(0, c.toString().indexOf('/')))
                .sorted()
                .toList();
    }

    public synchronized int size() {
        return entries.size();
    }

    private Optional<BlockEntry> find(InetAddress address, Instant now, BlockEntry.Kind kind) {
        return entries.values().stream()
                .filter(e -> e.kind() == kind && e.activeAt(now))
                .filter(e -> Cidr.parse(e.cidr()).contains(address))
                .findFirst();
    }
}
