package org.mailgateway.contracts;

import java.util.Objects;

/**
 * One rule that matched a message: a stable name (for filters and dashboards), the score it added and a
 * sentence a person understands.
 */
public record RuleHit(String rule, double score, String reason) {

    public RuleHit {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(reason, "reason");
    }
}
