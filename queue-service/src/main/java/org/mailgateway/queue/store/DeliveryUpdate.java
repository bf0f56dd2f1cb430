package org.mailgateway.queue.store;

import java.time.Instant;

/**
 * The new state of one recipient after an attempt.
 *
 * @param destination the next hop it was (or would have been) sent to, {@code host:port} or "(no route)"
 * @param attempt which attempt this is the outcome of: the recipient's attempt count when it was leased for it.
 *                It is recorded only while that count holds: once a later lease took the recipient (this one ran
 *                out while its outcome could not be recorded), the later attempt's outcome is the one that counts.
 */
public record DeliveryUpdate(String messageId, String recipient, State state, Instant nextAttemptAt, String reply,
        String destination, int attempt) {

    public enum State {
        QUEUED, DEFERRED, DELIVERED, FAILED, EXPIRED
    }
}
