package org.mailgateway.policy.rules;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.mailgateway.contracts.RuleHit;
import org.mailgateway.contracts.Verdict;

/**
 * Runs every rule on a message, adds up the scores and decides: at or above the threshold the message is
 * quarantined, below it is delivered. Every rule runs, so the verdict explains the whole picture, not only
 * the first reason. A rule that throws does not lose the message: it becomes a {@code POLICY_ERROR} hit.
 */
public final class RuleChain {

    public static final String POLICY_ERROR = "POLICY_ERROR";

    private final List<Rule> rules;
    private final double threshold;
    private final double errorScore;
    private final Clock clock;

    public RuleChain(List<Rule> rules, double threshold, double errorScore, Clock clock) {
        this.rules = List.copyOf(rules);
        this.threshold = threshold;
        this.errorScore = errorScore;
        this.clock = clock;
    }

    public Verdict evaluate(MessageFacts facts) {
        List<RuleHit> hits = new ArrayList<>();
        for (Rule rule : rules) {
            try {
                hits.addAll(rule.evaluate(facts));
            } catch (RuntimeException e) {
                hits.add(new RuleHit(POLICY_ERROR, errorScore,
                        "rule " + rule.getClass().getSimpleName() + " failed (" + e + "); held for review"));
            }
        }
        double score = hits.stream().mapToDouble(RuleHit::score).sum();
        Verdict.Action action = score >= threshold ? Verdict.Action.QUARANTINE : Verdict.Action.DELIVER;
        return new Verdict(action, score, threshold, hits, clock.instant());
    }
}
