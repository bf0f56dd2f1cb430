package org.mailgateway.queue.delivery;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * When to try again after a temporary failure: exponential ({@code initial * multiplier^(attempts-1)}, capped at
 * {@code max}) with up to 10% jitter, so that a destination that comes back is not hit by every message at once.
 */
public record Backoff(Duration initial, double multiplier, Duration max) {

    public Duration afterAttempts(int attempts, RandomGenerator random) {
        double millis = initial.toMillis() * Math.pow(multiplier, Math.max(0, attempts - 1));
        double capped = Math.min(millis, max.toMillis());
        double jittered = capped * (0.9 + 0.1 * random.nextDouble());
        return Duration.ofMillis(Math.max(1, (long) jittered));
    }
}
