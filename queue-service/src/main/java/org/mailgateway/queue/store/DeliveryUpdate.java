package org.mailgateway.queue.store;

import java.time.Instant;

/** The new state of one recipient after an attempt. */
public record DeliveryUpdate(String messageId, String recipient, State state, Instant nextAttemptAt, String reply) {

    public enum State {
        QUEUED, DEFERRED, DELIVERED, FAILED, EXPIRED
    }
}
