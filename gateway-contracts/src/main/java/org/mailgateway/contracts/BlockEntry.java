package org.mailgateway.contracts;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One block or allow entry on the compacted {@code policy.blocklist} topic. The record key is the
 * canonical CIDR ({@link Cidr#toString()}), so there is at most one entry per CIDR; a tombstone (null
 * value) removes it. An allow entry wins over any block that covers the same address.
 *
 * @param cidr      the range, canonical form (a single address is a /32 or /128)
 * @param kind      block or allow
 * @param source    who made the entry
 * @param reason    a sentence a person understands; the ingress puts it in its 554 reply
 * @param hits      the rule hits that led to an automatic block (empty for manual entries)
 * @param createdAt when the entry was made
 * @param expiresAt when it stops applying, or null for never
 * @param offence   how many times this range was blocked automatically (1 for the first; escalates expiry)
 * @param createdBy the admin key name for manual entries, the policy instance for automatic ones
 */
public record BlockEntry(
        String cidr,
        Kind kind,
        Source source,
        String reason,
        List<RuleHit> hits,
        Instant createdAt,
        Instant expiresAt,
        int offence,
        String createdBy) {

    public enum Kind {
        BLOCK,
        ALLOW
    }

    public enum Source {
        /** decided by policy-service from behaviour */
        POLICY,
        /** added by an operator through admin-api */
        ADMIN
    }

    public BlockEntry {
        Objects.requireNonNull(cidr, "cidr");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(createdAt, "createdAt");
        reason = reason == null ? "" : reason;
        hits = hits == null ? List.of() : List.copyOf(hits);
    }

    /** Whether the entry applies at {@code now}. */
    public boolean activeAt(Instant now) {
        return expiresAt == null || now.isBefore(expiresAt);
    }
}
