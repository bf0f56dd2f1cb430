package org.mailgateway.admin.store;

import java.time.Instant;

/**
 * What a quarantine search or bulk action selects; every field may be null (no condition). Text fields match
 * case-insensitively as a part (a HELO of {@code love-} finds {@code love-123.example}); {@code rule} is a rule name
 * exactly; {@code network} a CIDR; {@code since} inclusive, {@code until} exclusive.
 */
public record QuarantineFilter(String network, String helo, String sender, String recipient, String rule, Double minScore,
        Instant since, Instant until) {

    public static final QuarantineFilter NONE = new QuarantineFilter(null, null, null, null, null, null, null, null);

    /** True when nothing narrows the selection. */
    public boolean isEmpty() {
        return equals(NONE);
    }
}
