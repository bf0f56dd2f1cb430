package org.mailgateway.queue.store;

/** A recipient whose delivery this instance has leased and must now attempt. */
public record ClaimedDelivery(String messageId, String recipient, String destination, int attempts) {
}
