package org.mailgateway.contracts;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What the policy service decided about one message and why. Travels as JSON in the
 * {@link RecordHeaders#VERDICT} header of {@code mail.verdicts}.
 *
 * @param action    what the queue service must do
 * @param score     the sum of the hits' scores
 * @param threshold the quarantine threshold that was in force
 * @param hits      every rule that matched, in the order the rules ran
 * @param decidedAt when the policy service decided
 */
public record Verdict(Action action, double score, double threshold, List<RuleHit> hits, Instant decidedAt) {

    /** Mail that was accepted is never dropped silently: it is either delivered or quarantined. */
    public enum Action {
        DELIVER,
        QUARANTINE
    }

    public Verdict {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(decidedAt, "decidedAt");
        hits = List.copyOf(hits);
    }
}
