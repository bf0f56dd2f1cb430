package org.mailgateway.admin.store;

import java.time.Instant;

/** One quarantined message with what its detail view needs; {@code raw} may be large. */
public record QuarantineDetailRow(String id, String envelopeJson, double score, double threshold, String hitsJson,
        Instant decidedAt, int size, byte[] raw) {
}
