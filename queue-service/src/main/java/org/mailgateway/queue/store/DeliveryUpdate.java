package org.mailgateway.queue.store;

import java.time.Instant;

/**
 * The new state of one recipient after an attempt.
 *
 * @param destination the next hop it was (or would have been) sent to, {@code host:port} or "(no route)"
 */
public record DeliveryUpdate(String messageId, String recipient, State state, Instant nextAttemptAt, String reply,
        String destination) {

    public enum State {
        QUEUED, DEFERRED, DELIVERED, FAILED, EXPIRED
    }
}
