package org.mailgateway.queue.delivery;

/**
 * What became of one recipient in one delivery attempt.
 *
 * @param reply the downstream's reply ({@code 250 2.0.0 Ok}) or what went wrong on the way
 */
public record RecipientResult(String recipient, Outcome outcome, String reply) {

    public enum Outcome {
        /** The downstream took responsibility for it (2xx after DATA). */
        DELIVERED,
        /** Try again later: 4xx, no connection, a timeout, a dropped connection. */
        DEFERRED,
        /** The downstream refused it for good (5xx). */
        FAILED
    }
}
