package org.mailgateway.policy.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DurationsTest {

    @ParameterizedTest
    @CsvSource({"PT10M, 10 minutes", "PT1M, 1 minute", "PT1H, 1 hour", "PT90S, 90 seconds", "P2D, 2 days", "PT1S, 1 second",
        "PT0S, 0 seconds", "PT25H, 25 hours"})
    void saysDurationsAsPeopleDo(Duration duration, String words) {
        assertEquals(words, Durations.words(duration));
    }
}
