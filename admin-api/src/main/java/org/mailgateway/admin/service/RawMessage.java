package org.mailgateway.admin.service;

import io.smallrye.mutiny.Multi;
import java.util.List;
import java.util.Map;

/** The bytes of one stored message, streamed in chunks as the client reads them. */
public record RawMessage(String id, int length, Multi<byte[]> bytes) {

    /** {@code Content-Disposition: attachment; filename="<id>.eml"} (the id is a ULID: nothing to escape). */
    public Map<String, List<String>> downloadHeaders() {
        return Map.of("Content-Disposition", List.of("attachment; filename=\"" + id + ".eml\""));
    }
}
