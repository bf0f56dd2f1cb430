package org.mailgateway.admin.store;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads the quarantine from the mail store (schema owned by queue-service). SQL and row mapping only. */
@ApplicationScoped
public class QuarantineStore {

    /** Newest first; the cursor is the (received_at, id) of the last row of the previous page. */
    private static final String PAGE = """
            SELECT id, received_at, host(client_ip) AS client_ip, helo_name, mail_from, recipients, subject, size, score,
                   hits::text AS hits
              FROM message
             WHERE action = 'QUARANTINE'
               AND ($1::text IS NULL OR client_ip <<= $1::text::inet)
               AND ($2::timestamptz IS NULL OR (received_at, id) < ($2::timestamptz, $3::text))
             ORDER BY received_at DESC, id DESC
             LIMIT $4""";

    private static final String ONE = """
            SELECT id, envelope::text AS envelope, score, threshold, hits::text AS hits, decided_at, size, raw
              FROM message
             WHERE id = $1 AND action = 'QUARANTINE'""";

    /** queue-service's release function (migration V2): the number of recipients queued, 0 if not in quarantine. */
    private static final String RELEASE = "SELECT release_message($1, $2) AS queued";

    private static final String DELETE = "DELETE FROM message WHERE id = $1 AND action = 'QUARANTINE'";

    private final Pool pool;

    public QuarantineStore(Pool pool) {
        this.pool = pool;
    }

    /**
     * @param network a CIDR to filter by, or null
     * @param after   the position after which the page starts, or null for the newest
     */
    public Uni<List<QuarantineRow>> page(String network, Position after, int limit) {
        Tuple params = Tuple.tuple()
                .addString(network)
                .addOffsetDateTime(after == null ? null : after.receivedAt().atOffset(ZoneOffset.UTC))
                .addString(after == null ? null : after.id())
                .addInteger(limit);
        return pool.preparedQuery(PAGE).execute(params).map(rows -> {
            List<QuarantineRow> page = new ArrayList<>(rows.size());
            for (Row r : rows) {
                page.add(new QuarantineRow(r.getString("id"), instant(r.getOffsetDateTime("received_at")),
                        r.getString("client_ip"), r.getString("helo_name"), r.getString("mail_from"),
                        List.of(r.getArrayOfStrings("recipients")), r.getString("subject"), r.getInteger("size"),
                        r.getDouble("score"), r.getString("hits")));
            }
            return page;
        });
    }

    public Uni<Optional<QuarantineDetailRow>> find(String id) {
        return pool.preparedQuery(ONE).execute(Tuple.of(id)).map(rows -> {
            if (rows.size() == 0) {
                return Optional.empty();
            }
            Row r = rows.iterator().next();
            Buffer raw = r.getBuffer("raw");
            return Optional.of(new QuarantineDetailRow(r.getString("id"), r.getString("envelope"), r.getDouble("score"),
                    r.getDouble("threshold"), r.getString("hits"), instant(r.getOffsetDateTime("decided_at")),
                    r.getInteger("size"), raw == null ? new byte[0] : raw.getBytes()));
        });
    }

    /** Releases a quarantined message for delivery; {@code by} is kept as who released it. */
    public Uni<Integer> release(String id, String by) {
        return pool.preparedQuery(RELEASE).execute(Tuple.of(id, by)).map(rows -> rows.iterator().next().getInteger("queued"));
    }

    /** Deletes a quarantined message and its bytes; false when there was none. */
    public Uni<Boolean> delete(String id) {
        return pool.preparedQuery(DELETE).execute(Tuple.of(id)).map(rows -> rows.rowCount() > 0);
    }

    /** A place in the newest-first order. */
    public record Position(Instant receivedAt, String id) {
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }
}
