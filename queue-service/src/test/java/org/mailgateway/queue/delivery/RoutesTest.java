package org.mailgateway.queue.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RoutesTest {

    private final Routes routes = Routes.parse(List.of("example.test=[10.0.0.5]:25", " Other.Test = [mx.other.test]:2525 ",
            "v6.test=[IPv6:::1]:25".replace("IPv6:", ""), "two.test=[10.0.0.5]:25  [10.0.0.6]:2525", "out.test=mx",
            "lab.test=MX:2526", "*=[127.0.0.1]:2526"));

    @ParameterizedTest
    @CsvSource({
        "a@example.test, 10.0.0.5:25",
        "a@EXAMPLE.TEST, 10.0.0.5:25",
        "a@other.test, mx.other.test:2525",
        "a@v6.test, [::1]:25",
        "a@sub.example.test, 127.0.0.1:2526",
        "\"x@y\"@elsewhere.test, 127.0.0.1:2526",
        "a@two.test, 10.0.0.5:25 10.0.0.6:2525",
        "a@Out.Test, mx:out.test",
        "a@lab.test, mx:lab.test:2526",
    })
    void routesByRecipientDomain(String recipient, String destination) {
        assertEquals(destination, routes.forRecipient(recipient).orElseThrow().label());
    }

    @Test
    void withoutAFallbackSomeDomainsHaveNoRoute() {
        assertTrue(Routes.parse(List.of("example.test=[10.0.0.5]:25")).forRecipient("a@elsewhere.test").isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.5:25", "10.0.0.5:25 10.0.0.6:2525", "[::1]:25", "mx:out.test", "mx:lab.test:2526"})
    void aStoredLabelReadsBackAsTheSameNextHop(String label) {
        assertEquals(label, NextHop.parseLabel(label).label());
    }

    @ParameterizedTest
    @ValueSource(strings = {"example.test", "example.test=", "example.test=mx:", "example.test=mx:0", "example.test=mx:x",
        "=[h]:25", "example.test=[h]", "example.test=[h]:x",
        "example.test=[h]:70000"})
    void badEntriesAreRefusedAtStartUp(String entry) {
        assertThrows(IllegalArgumentException.class, () -> Routes.parse(List.of(entry)));
    }

    @Test
    void backoffGrowsExponentiallyUpToTheCapWithJitter() {
        Backoff backoff = new Backoff(Duration.ofMinutes(1), 2.0, Duration.ofHours(1));
        Random random = new Random(3);
        for (int attempts = 1; attempts <= 12; attempts++) {
            long expected = Math.min(60_000L << (attempts - 1), 3_600_000L);
            long actual = backoff.afterAttempts(attempts, random).toMillis();
            assertTrue(actual <= expected && actual >= expected * 0.9, attempts + ": " + actual + " vs " + expected);
        }
    }
}
