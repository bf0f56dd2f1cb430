package org.mailgateway.policy.rules;

import java.util.List;
import java.util.function.ToIntFunction;
import org.mailgateway.contracts.RuleHit;
import org.mailgateway.policy.behaviour.IpActivity;

/**
 * A count of what one client IP did within the sliding window reached a threshold. The same rule scores
 * messages (with the scoring thresholds) and decides blocks (with the higher block thresholds).
 */
public final class BehaviourRule implements Rule {

    /** The counts a behaviour rule can look at, each with its stable rule name and its sentence. */
    public enum Measure {
        HELO_ROTATION(IpActivity::heloNames, "client %s announced %d different HELO names in %s"),
        RELAY_ATTEMPTS(IpActivity::relayAttempts, "client %s tried to relay to %d recipients in foreign domains in %s"),
        MESSAGE_RATE(IpActivity::messages, "client %s sent %d messages in %s"),
        RECIPIENT_RATE(IpActivity::recipients, "client %s addressed %d recipients in %s"),
        SESSIONS_WITHOUT_MAIL(IpActivity::sessionsWithoutMail, "client %s opened %d sessions that sent no mail in %s"),
        AUTH_FAILURES(IpActivity::authFailures, "client %s failed AUTH %d times in %s");

        private final ToIntFunction<IpActivity> count;
        private final String sentence;

        Measure(ToIntFunction<IpActivity> count, String sentence) {
            this.count = count;
            this.sentence = sentence;
        }

        public int of(IpActivity activity) {
            return count.applyAsInt(activity);
        }
    }

    private final Measure measure;
    private final int threshold;
    private final double score;

    /**
     * @param threshold the count at which the rule hits; 0 switches it off
     * @param score     what a hit adds; 0 switches it off
     */
    public BehaviourRule(Measure measure, int threshold, double score) {
        this.measure = measure;
        this.threshold = threshold;
        this.score = score;
    }

    public Measure measure() {
        return measure;
    }

    @Override
    public List<RuleHit> evaluate(MessageFacts facts) {
        return evaluate(facts.activity());
    }

    public List<RuleHit> evaluate(IpActivity activity) {
        int count = measure.of(activity);
        if (threshold <= 0 || score == 0 || count < threshold) {
            return List.of();
        }
        String reason = String.format(java.util.Locale.ROOT, measure.sentence, activity.ip(), count,
                Durations.words(activity.window()));
        if (measure == Measure.HELO_ROTATION && activity.latestHelo() != null) {
            reason += " (latest: " + activity.latestHelo() + ")";
        }
        return List.of(new RuleHit(measure.name(), score, reason));
    }
}
