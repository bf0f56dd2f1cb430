package org.mailgateway.admin.store;

import java.time.Instant;

/** A place in a list ordered by (received_at, id): where the next page starts. */
public record Position(Instant receivedAt, String id) {
}
