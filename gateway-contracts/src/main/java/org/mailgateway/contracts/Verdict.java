package org.mailgateway.contracts;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
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

    /**
     * A score as the mail log writes it, with one decimal: the same text as {@code String.format("%.1f")} in the root
     * locale, without a {@link java.util.Formatter} for every message.
     */
    public static String scoreText(double score) {
        if (!(Math.abs(score) < 1e15)) {
            return String.format(Locale.ROOT, "%.1f", score);
        }
        long tenths = Math.round(Math.abs(score) * 10);
        boolean negative = score < 0 || score == 0 && 1 / score < 0;
        return (negative ? "-" : "") + tenths / 10 + "." + tenths % 10;
    }
}
