package org.mailgateway.admin.store;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The deferred queue in the mail store (tables message and delivery, view destination_queue; schema owned by
 * queue-service). SQL and row mapping only.
 * <p>
 * Leases: queue-service's delivery loop leases a recipient ({@code lease_until}) while it delivers it and writes the
 * outcome over the row afterwards. Flushing and removing therefore touch only recipients without a live lease: a
 * change under a lease would be overwritten by the outcome (or the mail be sent anyway). Rows are locked
 * ({@code FOR UPDATE}) before they are changed; the loop claims with {@code SKIP LOCKED}, so the two never wait on
 * each other for long and never both win.
 */
@ApplicationScoped
public class QueueStore {

    static final String PENDING = "('QUEUED', 'DEFERRED')";

    private static final String DESTINATIONS = """
            SELECT destination, deferred, queued, messages, oldest, next_attempt_at, last_attempt_at, last_error
              FROM destination_queue
             ORDER BY oldest, destination
             LIMIT $1""";

    /** Messages (oldest first) with their recipients of one destination and state set; cursor ($3, $4). */
    private static final String MESSAGES = """
            SELECT m.id, m.received_at, host(m.client_ip) AS client_ip, m.mail_from, m.subject, m.size,
                   json_agg(json_build_object('recipient', d.recipient, 'destination', d.destination, 'state', d.state,
                            'attempts', d.attempts, 'nextAttemptAt', d.next_attempt_at, 'lastAttemptAt', d.last_attempt_at,
                            'lastReply', d.last_reply, 'inDelivery', coalesce(d.lease_until > now(), false))
                            ORDER BY d.recipient)::text AS deliveries
              FROM message m
              JOIN delivery d ON d.message_id = m.id
             WHERE ($1::text IS NULL OR d.destination = $1)
               AND d.state = ANY($2::text[])
               AND ($3::timestamptz IS NULL OR (m.received_at, m.id) > ($3::timestamptz, $4::text))
             GROUP BY m.id
             ORDER BY m.received_at, m.id
             LIMIT $5""";

    private static final String ONE = """
            SELECT m.id, m.action, m.envelope::text AS envelope, m.score, m.hits::text AS hits, m.size,
                   m.released_at, m.released_by, octet_length(m.raw) AS raw_length,
                   substring(m.raw FROM 1 FOR $2) AS head,
                   (SELECT json_agg(json_build_object('recipient', d.recipient, 'destination', d.destination,
                            'state', d.state, 'attempts', d.attempts, 'nextAttemptAt', d.next_attempt_at,
                            'lastAttemptAt', d.last_attempt_at, 'lastReply', d.last_reply, 'deliveredAt', d.delivered_at,
                            'inDelivery', coalesce(d.lease_until > now(), false)) ORDER BY d.recipient)
                      FROM delivery d WHERE d.message_id = m.id)::text AS deliveries
              FROM message m
             WHERE m.id = $1 AND m.action IN ('DELIVER', 'RELEASED')""";

    private static final String FLUSH = """
            UPDATE delivery SET next_attempt_at = now()
             WHERE destination = $1 AND state IN""" + " " + PENDING + """

               AND (lease_until IS NULL OR lease_until < now())""";

    private static final String PENDING_OF_MESSAGE = """
            SELECT coalesce(lease_until > now(), false) AS busy FROM delivery
             WHERE message_id = $1 AND state IN""" + " " + PENDING + """

               FOR UPDATE""";

    private static final String REMOVE_MESSAGE = """
            UPDATE delivery SET state = 'FAILED', last_reply = $2, lease_until = NULL
             WHERE message_id = $1 AND state IN""" + " " + PENDING;

    private static final String REMOVE_DESTINATION = """
            UPDATE delivery d SET state = 'FAILED', last_reply = $2, lease_until = NULL
              FROM (SELECT message_id, recipient FROM delivery
                     WHERE destination = $1 AND state IN""" + " " + PENDING + """

                       AND (lease_until IS NULL OR lease_until < now())
                       FOR UPDATE) removable
             WHERE d.message_id = removable.message_id AND d.recipient = removable.recipient
            RETURNING d.message_id""";

    private static final String STILL_PENDING = """
            SELECT count(*) AS n FROM delivery WHERE destination = $1 AND state IN""" + " " + PENDING;

    /** Bytes nobody will send any more: no recipient of the message is pending. */
    private static final String DROP_UNNEEDED_CONTENT = """
            UPDATE message m SET raw = NULL
             WHERE m.id = ANY($1) AND m.raw IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM delivery d WHERE d.message_id = m.id AND d.state IN""" + " " + PENDING + ")";

    private final Pool pool;

    public QueueStore(Pool pool) {
        this.pool = pool;
    }

    /** One next hop with pending recipients. */
    public record DestinationRow(String destination, long deferred, long queued, long messages, Instant oldest,
            Instant nextAttemptAt, Instant lastAttemptAt, String lastError) {
    }

    /** One message with its recipients (JSON array) as the list shows it. */
    public record QueuedRow(String id, Instant receivedAt, String clientIp, String mailFrom, String subject, int size,
            String deliveriesJson) {
    }

    /** One message with all its recipients and at most the first bytes of its content. */
    public record QueuedDetailRow(String id, String action, String envelopeJson, double score, String hitsJson, int size,
            Instant releasedAt, String releasedBy, byte[] head, int rawLength, String deliveriesJson) {
    }

    /** What removing did: recipients removed, of how many messages, and how many stayed because they are in delivery. */
    public record Removed(int recipients, int messages, long inDelivery) {
    }

    public Uni<List<DestinationRow>> destinations(int limit) {
        return pool.preparedQuery(DESTINATIONS).execute(Tuple.of(limit)).map(rows -> {
            List<DestinationRow> list = new ArrayList<>(rows.size());
            for (Row r : rows) {
                list.add(new DestinationRow(r.getString("destination"), r.getLong("deferred"), r.getLong("queued"),
                        r.getLong("messages"), instant(r.getOffsetDateTime("oldest")), instant(r.getOffsetDateTime("next_attempt_at")),
                        instant(r.getOffsetDateTime("last_attempt_at")), r.getString("last_error")));
            }
            return list;
        });
    }

    /**
     * @param destination a next hop, or null for all
     * @param states      the delivery states to show
     * @param after       the (received_at, id) after which the page starts, or null
     */
    public Uni<List<QueuedRow>> messages(String destination, List<String> states, Position after, int limit) {
        Tuple params = Tuple.tuple().addString(destination).addArrayOfString(states.toArray(String[]::new))
                .addOffsetDateTime(after == null ? null : after.receivedAt().atOffset(ZoneOffset.UTC))
                .addString(after == null ? null : after.id()).addInteger(limit);
        return pool.preparedQuery(MESSAGES).execute(params).map(rows -> {
            List<QueuedRow> list = new ArrayList<>(rows.size());
            for (Row r : rows) {
                list.add(new QueuedRow(r.getString("id"), instant(r.getOffsetDateTime("received_at")), r.getString("client_ip"),
                        r.getString("mail_from"), r.getString("subject"), r.getInteger("size"), r.getString("deliveries")));
            }
            return list;
        });
    }

    public Uni<Optional<QueuedDetailRow>> find(String id, int headBytes) {
        return pool.preparedQuery(ONE).execute(Tuple.of(id, headBytes)).map(rows -> {
            if (rows.size() == 0) {
                return Optional.empty();
            }
            Row r = rows.iterator().next();
            Buffer head = r.getBuffer("head");
            Integer rawLength = r.getInteger("raw_length");
            String deliveries = r.getString("deliveries");
            return Optional.of(new QueuedDetailRow(r.getString("id"), r.getString("action"), r.getString("envelope"),
                    r.getDouble("score"), r.getString("hits"), r.getInteger("size"), instant(r.getOffsetDateTime("released_at")),
                    r.getString("released_by"), head == null ? new byte[0] : head.getBytes(), rawLength == null ? 0 : rawLength,
                    deliveries == null ? "[]" : deliveries));
        });
    }

    /** Makes every pending recipient of a destination (not in delivery right now) due now; how many. */
    public Uni<Integer> flush(String destination) {
        return pool.preparedQuery(FLUSH).execute(Tuple.of(destination)).map(rows -> rows.rowCount());
    }

    /** How many recipients of a destination are pending. */
    public Uni<Long> pending(String destination) {
        return pool.preparedQuery(STILL_PENDING).execute(Tuple.of(destination)).map(rows -> rows.iterator().next().getLong("n"));
    }

    /**
     * Removes a message's pending recipients from the queue (state FAILED, {@code reason} as their last reply) and
     * drops its bytes, unless one of them is in delivery right now: then nothing changes.
     *
     * @return empty if the message had no pending recipient; otherwise what was done
     */
    public Uni<Optional<Removed>> removeMessage(String id, String reason) {
        return pool.withTransaction(conn -> conn.preparedQuery(PENDING_OF_MESSAGE).execute(Tuple.of(id)).chain(rows -> {
            if (rows.size() == 0) {
                return Uni.createFrom().item(Optional.<Removed>empty());
            }
            long busy = 0;
            for (Row r : rows) {
                busy += r.getBoolean("busy") ? 1 : 0;
            }
            if (busy > 0) {
                return Uni.createFrom().item(Optional.of(new Removed(0, 0, busy)));
            }
            return conn.preparedQuery(REMOVE_MESSAGE).execute(Tuple.of(id, reason))
                    .chain(removed -> dropContent(conn, List.of(id)).map(v -> Optional.of(new Removed(removed.rowCount(), 1, 0))));
        }));
    }

    /** Removes every pending recipient of a destination that is not in delivery right now, and drops unneeded bytes. */
    public Uni<Removed> removeDestination(String destination, String reason) {
        return pool.withTransaction(conn -> conn.preparedQuery(REMOVE_DESTINATION).execute(Tuple.of(destination, reason))
                .chain(rows -> {
                    List<String> ids = new ArrayList<>();
                    for (Row r : rows) {
                        ids.add(r.getString("message_id"));
                    }
                    List<String> distinct = ids.stream().distinct().toList();
                    return dropContent(conn, distinct)
                            .chain(() -> conn.preparedQuery(STILL_PENDING).execute(Tuple.of(destination)))
                            .map(left -> new Removed(ids.size(), distinct.size(), left.iterator().next().getLong("n")));
                }));
    }

    private static Uni<Void> dropContent(SqlConnection conn, List<String> ids) {
        if (ids.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return conn.preparedQuery(DROP_UNNEEDED_CONTENT).execute(Tuple.tuple().addArrayOfString(ids.toArray(String[]::new)))
                .replaceWithVoid();
    }


    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }
}
