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

/** Reads and changes the quarantine in the mail store (schema owned by queue-service). SQL and row mapping only. */
@ApplicationScoped
public class QuarantineStore {

    /** The conditions of a {@link QuarantineFilter}, parameters $1 to $8. */
    private static final String MATCHES = """
            action = 'QUARANTINE'
               AND ($1::text IS NULL OR client_ip <<= $1::text::inet)
               AND ($2::text IS NULL OR strpos(lower(helo_name), lower($2)) > 0)
               AND ($3::text IS NULL OR strpos(lower(mail_from), lower($3)) > 0)
               AND ($4::text IS NULL OR EXISTS (SELECT 1 FROM unnest(recipients) AS r(address)
                                                 WHERE strpos(lower(r.address), lower($4)) > 0))
               AND ($5::text IS NULL OR hits @> jsonb_build_array(jsonb_build_object('rule', $5::text)))
               AND ($6::float8 IS NULL OR score >= $6)
               AND ($7::timestamptz IS NULL OR received_at >= $7)
               AND ($8::timestamptz IS NULL OR received_at < $8)""";

    /** Newest first; the cursor is the (received_at, id) of the last row of the previous page ($9, $10). */
    private static final String PAGE = """
            SELECT id, received_at, host(client_ip) AS client_ip, helo_name, mail_from, recipients, subject, size, score,
                   hits::text AS hits
              FROM message
             WHERE""" + " " + MATCHES + """

               AND ($9::timestamptz IS NULL OR (received_at, id) < ($9::timestamptz, $10::text))
             ORDER BY received_at DESC, id DESC
             LIMIT $11""";

    /** The whole message's first bytes (enough for headers and a preview), never all of a large one. */
    private static final String ONE = """
            SELECT id, envelope::text AS envelope, score, threshold, hits::text AS hits, decided_at, size,
                   octet_length(raw) AS raw_length, substring(raw FROM 1 FOR $2) AS head
              FROM message
             WHERE id = $1 AND action = 'QUARANTINE'""";

    private static final String COUNT = "SELECT count(*) AS n FROM (SELECT 1 FROM message WHERE " + MATCHES + " LIMIT $9) m";

    /** queue-service's release function (migration V2): the number of recipients queued, 0 if not in quarantine. */
    private static final String RELEASE = "SELECT release_message($1, $2) AS queued";

    /** At most $9 of the matching messages, released by $10. */
    private static final String RELEASE_MATCHING = """
            SELECT count(*) FILTER (WHERE queued > 0) AS messages, coalesce(sum(queued), 0) AS recipients
              FROM (SELECT release_message(id, $10) AS queued
                      FROM (SELECT id FROM message WHERE""" + " " + MATCHES + """
             LIMIT $9) selected) released""";

    private static final String DELETE = "DELETE FROM message WHERE id = $1 AND action = 'QUARANTINE'";

    /** At most $9 of the matching messages. */
    private static final String DELETE_MATCHING = "DELETE FROM message WHERE id IN (SELECT id FROM message WHERE " + MATCHES
            + " LIMIT $9)";

    private final Pool pool;

    public QuarantineStore(Pool pool) {
        this.pool = pool;
    }

    /**
     * @param after the position after which the page starts, or null for the newest
     */
    public Uni<List<QuarantineRow>> page(QuarantineFilter filter, Position after, int limit) {
        Tuple params = filter(filter)
                .addOffsetDateTime(after == null ? null : utc(after.receivedAt()))
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

    /** One message with at most the first {@code headBytes} of its bytes. */
    public Uni<Optional<QuarantineDetailRow>> find(String id, int headBytes) {
        return pool.preparedQuery(ONE).execute(Tuple.of(id, headBytes)).map(rows -> {
            if (rows.size() == 0) {
                return Optional.empty();
            }
            Row r = rows.iterator().next();
            Buffer head = r.getBuffer("head");
            Integer rawLength = r.getInteger("raw_length");
            return Optional.of(new QuarantineDetailRow(r.getString("id"), r.getString("envelope"), r.getDouble("score"),
                    r.getDouble("threshold"), r.getString("hits"), instant(r.getOffsetDateTime("decided_at")),
                    r.getInteger("size"), head == null ? new byte[0] : head.getBytes(), rawLength == null ? 0 : rawLength));
        });
    }

    /** How many messages match, counting at most {@code cap} (a bound on the work a count does). */
    public Uni<Integer> count(QuarantineFilter filter, int cap) {
        return pool.preparedQuery(COUNT).execute(filter(filter).addInteger(cap))
                .map(rows -> rows.iterator().next().getLong("n").intValue());
    }

    /** Releases a quarantined message for delivery; {@code by} is kept as who released it. */
    public Uni<Integer> release(String id, String by) {
        return pool.preparedQuery(RELEASE).execute(Tuple.of(id, by)).map(rows -> rows.iterator().next().getInteger("queued"));
    }

    /** Releases at most {@code max} matching messages in one transaction: how many messages and recipients. */
    public Uni<BulkResult> releaseMatching(QuarantineFilter filter, int max, String by) {
        return pool.withTransaction(conn -> conn.preparedQuery(RELEASE_MATCHING)
                        .execute(filter(filter).addInteger(max).addString(by)))
                .map(rows -> {
                    Row r = rows.iterator().next();
                    return new BulkResult(r.getLong("messages").intValue(), r.getLong("recipients").intValue());
                });
    }

    /** Deletes a quarantined message and its bytes; false when there was none. */
    public Uni<Boolean> delete(String id) {
        return pool.preparedQuery(DELETE).execute(Tuple.of(id)).map(rows -> rows.rowCount() > 0);
    }

    /** Deletes at most {@code max} matching messages; how many. */
    public Uni<Integer> deleteMatching(QuarantineFilter filter, int max) {
        return pool.preparedQuery(DELETE_MATCHING).execute(filter(filter).addInteger(max)).map(rows -> rows.rowCount());
    }

    /** What a bulk action did. */
    public record BulkResult(int messages, int recipients) {
    }


    private static Tuple filter(QuarantineFilter f) {
        return Tuple.tuple()
                .addString(f.network()).addString(f.helo()).addString(f.sender()).addString(f.recipient()).addString(f.rule())
                .addDouble(f.minScore())
                .addOffsetDateTime(f.since() == null ? null : utc(f.since()))
                .addOffsetDateTime(f.until() == null ? null : utc(f.until()));
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }
}
