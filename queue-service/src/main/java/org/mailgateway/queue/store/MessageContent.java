package org.mailgateway.queue.store;

import java.time.Instant;

/**
 * What a delivery needs from the stored message: the sender, its age, its bytes, and the envelope as stored
 * (read when a failure may call for a delivery status report).
 */
public record MessageContent(String messageId, String mailFrom, Instant receivedAt, String envelopeJson, byte[] raw) {
}
