package org.mailgateway.admin.store;

import java.time.Instant;

/**
 * One quarantined message with what its detail view needs: {@code head} is at most the first bytes of the message
 * (headers and enough of the body for a preview), {@code rawLength} its whole length.
 */
public record QuarantineDetailRow(String id, String envelopeJson, double score, double threshold, String hitsJson,
        Instant decidedAt, int size, byte[] head, int rawLength) {
}
