package org.mailgateway.admin.store;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/**
 * The bytes of a stored message, read in chunks ({@code substring} of the bytea column), so a download never holds
 * more than one chunk of a message in memory.
 */
@ApplicationScoped
public class RawStore {

    /** Which messages a download may read. */
    public enum Kind {
        /** Quarantined messages. */
        QUARANTINE("action = 'QUARANTINE'"),
        /** Messages with at least one recipient still to deliver (the deferred queue). */
        QUEUE("action IN ('DELIVER', 'RELEASED') AND EXISTS (SELECT 1 FROM delivery d WHERE d.message_id = message.id"
                + " AND d.state IN ('QUEUED', 'DEFERRED'))");

        final String condition;

        Kind(String condition) {
            this.condition = condition;
        }
    }

    /** Bytes per chunk. */
    public static final int CHUNK = 256 * 1024;

    private static final String CHUNK_SQL = "SELECT substring(raw FROM $2 FOR $3) AS part FROM message WHERE id = $1";

    private final Pool pool;

    public RawStore(Pool pool) {
        this.pool = pool;
    }

    /** The length of the message's bytes, if it is of this kind and its bytes are still kept. */
    public Uni<Optional<Integer>> length(Kind kind, String id) {
        return pool.preparedQuery("SELECT octet_length(raw) AS n FROM message WHERE id = $1 AND raw IS NOT NULL AND " + kind.condition)
                .execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getInteger("n")));
    }

    /**
     * The bytes, one chunk per query, each read only when the client took the previous one. A message deleted
     * meanwhile ends the stream with an error (the client sees a cut download, never wrong bytes).
     */
    public Multi<byte[]> chunks(String id, int length) {
        int count = (length + CHUNK - 1) / CHUNK;
        return Multi.createFrom().range(0, count).onItem().transformToUniAndConcatenate(i -> pool.preparedQuery(CHUNK_SQL)
                .execute(Tuple.of(id, i * CHUNK + 1, CHUNK))
                .map(rows -> {
                    Buffer part = rows.size() == 0 ? null : rows.iterator().next().getBuffer("part");
                    if (part == null) {
                        throw new IllegalStateException("message " + id + " was deleted during its download");
                    }
                    return part.getBytes();
                }));
    }
}
