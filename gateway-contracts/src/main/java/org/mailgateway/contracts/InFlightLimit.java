package org.mailgateway.contracts;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bound on records a consumer has started but not finished. A consumer whose offsets are committed only up to
 * its oldest unfinished record (the throttled commit strategy) may start the next record before the last one is
 * done: while fewer than {@code max} are running, {@link #admit} lets it go on at once; at the limit it waits until
 * the record just started is finished. So a consumer waits for Kafka's or PostgreSQL's acknowledgement once per
 * window, not once per record, and never holds more than {@code max} records in memory.
 */
public final class InFlightLimit {

    private final int max;
    private final AtomicInteger running = new AtomicInteger();

    public InFlightLimit(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1: " + max);
        }
        this.max = max;
    }

    /**
     * Counts {@code work} as running until it completes (normally or not).
     *
     * @return a stage that is already complete while the limit is not reached, or that completes with {@code work}
     */
    public CompletionStage<Void> admit(CompletionStage<?> work) {
        int now = running.incrementAndGet();
        CompletableFuture<Void> finished = work.handle((result, failure) -> {
            running.decrementAndGet();
            return (Void) null;
        }).toCompletableFuture();
        return now < max ? CompletableFuture.completedFuture(null) : finished;
    }

    /** Records started and not finished. */
    public int running() {
        return running.get();
    }
}
