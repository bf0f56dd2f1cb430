package org.mailgateway.policy.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mailgateway.contracts.RuleHit;
import org.mailgateway.policy.behaviour.IpActivity;
import org.mailgateway.policy.rules.BehaviourRule.Measure;

class BehaviourRuleTest {

    /** measure, threshold, score, count, expected reason (empty: no hit). */
    @ParameterizedTest(name = "{0} threshold {1} count {3}")
    @CsvSource(delimiter = '|', value = {
        "HELO_ROTATION         | 5 | 3.0 | 4  | ",
        "HELO_ROTATION         | 5 | 3.0 | 5  | client 203.0.113.7 announced 5 different HELO names in 10 minutes (latest: love-14.example)",
        "HELO_ROTATION         | 5 | 3.0 | 14 | client 203.0.113.7 announced 14 different HELO names in 10 minutes (latest: love-14.example)",
        "HELO_ROTATION         | 0 | 3.0 | 14 | ",
        "HELO_ROTATION         | 5 | 0   | 14 | ",
        "RELAY_ATTEMPTS        | 1 | 4.0 | 0  | ",
        "RELAY_ATTEMPTS        | 1 | 4.0 | 3  | client 203.0.113.7 tried to relay to 3 recipients in foreign domains in 10 minutes",
        "MESSAGE_RATE          | 50 | 1.5 | 49 | ",
        "MESSAGE_RATE          | 50 | 1.5 | 50 | client 203.0.113.7 sent 50 messages in 10 minutes",
        "RECIPIENT_RATE        | 200 | 1.5 | 250 | client 203.0.113.7 addressed 250 recipients in 10 minutes",
        "RECIPIENT_RATE        | 200 | 1.5 | 199 | ",
        "SESSIONS_WITHOUT_MAIL | 10 | 2.0 | 12 | client 203.0.113.7 opened 12 sessions that sent no mail in 10 minutes",
        "SESSIONS_WITHOUT_MAIL | 10 | 2.0 | 9  | ",
        "AUTH_FAILURES         | 5  | 3.0 | 5  | client 203.0.113.7 failed AUTH 5 times in 10 minutes",
        "AUTH_FAILURES         | 5  | 3.0 | 4  | ",
    })
    void hitsAtTheThresholdAndExplainsTheNumbers(Measure measure, int threshold, double score, int count, String reason) {
        List<RuleHit> hits = new BehaviourRule(measure, threshold, score).evaluate(activity(measure, count));

        if (reason == null) {
            assertEquals(List.of(), hits);
        } else {
            assertEquals(List.of(new RuleHit(measure.name(), score, reason)), hits);
        }
    }

    /** An activity where only {@code measure} has a count. */
    static IpActivity activity(Measure measure, int count) {
        return new IpActivity("203.0.113.7", Duration.ofMinutes(10),
                0,
                measure == Measure.SESSIONS_WITHOUT_MAIL ? count : 0,
                measure == Measure.RELAY_ATTEMPTS ? count : 0,
                measure == Measure.AUTH_FAILURES ? count : 0,
                measure == Measure.MESSAGE_RATE ? count : 0,
                measure == Measure.RECIPIENT_RATE ? count : 0,
                measure == Measure.HELO_ROTATION ? count : 0,
                "love-14.example");
    }
}
