package org.mailgateway.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

class VerdictTest {

    private static void sameAsFormat(double score) {
        assertEquals(String.format(Locale.ROOT, "%.1f", score), Verdict.scoreText(score), () -> "score " + score);
    }

    @Test
    void scoreTextIsTheTextOfPercentPointOneF() {
        for (int k = -20_000; k <= 20_000; k++) {
            sameAsFormat(k / 100.0);
            sameAsFormat(k / 1000.0);
            sameAsFormat(k * 0.05);
        }
        Random random = new Random(8);
        for (int i = 0; i < 100_000; i++) {
            sameAsFormat((random.nextDouble() - 0.5) * 2_000);
        }
    }

    @Test
    void scoreTextOfEdgeValues() {
        assertEquals("0.0", Verdict.scoreText(0.0));
        assertEquals("-0.0", Verdict.scoreText(-0.04));
        assertEquals("5.0", Verdict.scoreText(4.95));
        assertEquals("-5.0", Verdict.scoreText(-4.95));
        assertEquals("1000.0", Verdict.scoreText(999.96));
        sameAsFormat(Double.NaN);
        sameAsFormat(Double.POSITIVE_INFINITY);
        sameAsFormat(1e16);
        sameAsFormat(-0.0);
    }
}
