package org.mailgateway.policy.rules;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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
    private static final int[] GTUBE_SHIFT = shiftTable(GTUBE);

    private final double score;

    public GtubeRule(double score) {
        this.score = score;
    }

    @Override
    public List<RuleHit> evaluate(MessageFacts facts) {
        if (score == 0 || indexOf(facts.message(), GTUBE, GTUBE_SHIFT) < 0) {
            return List.of();
        }
        return List.of(new RuleHit(NAME, score, "the message contains the GTUBE anti-spam test string"));
    }

    /**
     * Boyer-Moore-Horspool: compares from the needle's last byte and, on a mismatch, skips ahead by as much as
     * the byte under that position allows, so a message is read about one byte in sixty, not every byte.
     */
    static int indexOf(byte[] haystack, byte[] needle) {
        return indexOf(haystack, needle, shiftTable(needle));
    }

    /** The same with the needle's shift table made beforehand (once for GTUBE, not once per message). */
    private static int indexOf(byte[] haystack, byte[] needle, int[] shift) {
        int last = needle.length - 1;
        for (int i = 0; i + last < haystack.length; i += shift[haystack[i + last] & 0xff]) {
            int j = last;
            while (haystack[i + j] == needle[j]) {
                if (j == 0) {
                    return i;
                }
                j--;
            }
        }
        return -1;
    }

    private static int[] shiftTable(byte[] needle) {
        int[] shift = new int[256];
        Arrays.fill(shift, needle.length);
        for (int j = 0; j < needle.length - 1; j++) {
            shift[needle[j] & 0xff] = needle.length - 1 - j;
        }
        return shift;
    }
}
