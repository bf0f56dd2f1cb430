package org.mailgateway.policy.rules;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.mailgateway.contracts.RuleHit;

/**
 * GTUBE, the Generic Test for Unsolicited Bulk Email: a fixed string that administrators put in a message to
 * check that spam handling works end to end. Any message containing it is spam by definition.
 */
public final class GtubeRule implements Rule {

    public static final String NAME = "GTUBE";
    static final byte[] GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"
            .getBytes(StandardCharsets.US_ASCII);

    private final double score;

    public GtubeRule(double score) {
        this.score = score;
    }

    @Override
    public List<RuleHit> evaluate(MessageFacts facts) {
        if (score == 0 || indexOf(facts.message(), GTUBE) < 0) {
            return List.of();
        }
        return List.of(new RuleHit(NAME, score, "the message contains the GTUBE anti-spam test string"));
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        byte first = needle[0];
        int last = haystack.length - needle.length;
        outer:
        for (int i = 0; i <= last; i++) {
            if (haystack[i] != first) {
                continue;
            }
            for (int j = 1; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
