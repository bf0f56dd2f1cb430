package org.mailgateway.queue.store;

import java.time.Instant;

/** What a delivery needs from the stored message: the sender, its age and its bytes. */
public record MessageContent(String messageId, String mailFrom, Instant receivedAt, byte[] raw) {
}
