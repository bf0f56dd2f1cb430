package org.mailgateway.admin.service;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.mailgateway.admin.rest.ProblemException;
import org.mailgateway.admin.store.Position;
import org.mailgateway.contracts.MessageIds;

/**
 * Page cursors over (received_at, id): base64url("epoch-microseconds:id") of the last row shown, opaque to callers.
 * Keyset paging: a page starts strictly after the last row of the previous one, so rows that arrive meanwhile
 * neither repeat nor push others off a page.
 */
final class Cursors {

    private Cursors() {
    }

    static String encode(Instant receivedAt, String id) {
        long micros = receivedAt.getEpochSecond() * 1_000_000L + receivedAt.getNano() / 1_000;
        return Base64.getUrlEncoder().withoutPadding().encodeToString((micros + ":" + id).getBytes(StandardCharsets.US_ASCII));
    }

    /** The position, or null for no cursor; a 400 problem naming {@code cursor} for one this API did not return. */
    static Position decode(String cursor) {
        if (cursor == null || cursor.isBlank()) {
            return null;
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
            int colon = text.indexOf(':');
            long micros = Long.parseLong(text.substring(0, colon));
            String id = text.substring(colon + 1);
            if (!MessageIds.isValid(id)) {
                throw new IllegalArgumentException("bad id");
            }
            return new Position(Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L), id);
        } catch (RuntimeException e) {
            throw ProblemException.badRequest("cursor: not a cursor this API returned");
        }
    }
}
