package org.mailgateway.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class InFlightLimitTest {

    @Test
    void goesOnAtOnceBelowTheLimitAndWaitsForTheRecordThatReachesIt() {
        InFlightLimit limit = new InFlightLimit(3);
        CompletableFuture<String> first = new CompletableFuture<>();
        CompletableFuture<String> second = new CompletableFuture<>();
        CompletableFuture<String> third = new CompletableFuture<>();

        assertTrue(limit.admit(first).toCompletableFuture().isDone());
        assertTrue(limit.admit(second).toCompletableFuture().isDone());
        CompletionStage<Void> atLimit = limit.admit(third);
        assertFalse(atLimit.toCompletableFuture().isDone());
        assertEquals(3, limit.running());

        first.complete("stored");
        assertFalse(atLimit.toCompletableFuture().isDone(), "it waits for the record that reached the limit");
        third.completeExceptionally(new IllegalStateException("refused"));
        assertTrue(atLimit.toCompletableFuture().isDone());
        assertFalse(atLimit.toCompletableFuture().isCompletedExceptionally(), "a failed record is the caller's to handle");
        assertEquals(1, limit.running());
    }

    @Test
    void finishedWorkLeavesTheCount() {
        InFlightLimit limit = new InFlightLimit(1);
        assertTrue(limit.admit(CompletableFuture.completedFuture("done")).toCompletableFuture().isDone());
        assertEquals(0, limit.running());
        assertThrows(IllegalArgumentException.class, () -> new InFlightLimit(0));
    }
}
