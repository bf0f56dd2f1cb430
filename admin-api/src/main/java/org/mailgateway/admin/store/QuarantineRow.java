package org.mailgateway.admin.store;

import java.time.Instant;
import java.util.List;

/** One quarantined message as the list shows it. */
public record QuarantineRow(String id, Instant receivedAt, String clientIp, String heloName, String mailFrom,
        List<String> recipients, String subject, int size, double score, String hitsJson) {
}
