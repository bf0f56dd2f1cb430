package org.mailgateway.queue.store;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jboss.logging.Logger;

/** The SQL of the mail store (schema: db/migration). Nothing but statements and row mapping. */
@ApplicationScoped
public class MailStore {

    private static final Logger LOG = Logger.getLogger(MailStore.class);

    private static final String INSERT_MESSAGE = """
            INSERT INTO message (id, received_at, client_ip, helo_name, mail_from, recipients, size, envelope,
                                 action, score, threshold, hits, decided_at, raw, subject)
            VALUES ($1, $2, $3::text::inet, $4, $5, $6, $7, $8::text::jsonb, $9, $10, $11, $12::text::jsonb, $13, $14, $15)
            ON CONFLICT (id) DO NOTHING""";

    /** $4: the lease of a first attempt made right after the commit (seconds), or null: the delivery loop claims it. */
    private static final String INSERT_DELIVERY = """
            INSERT INTO delivery (message_id, recipient, destination, state, next_attempt_at, lease_until, attempts,
                                  last_attempt_at)
            VALUES ($1, $2, $3, 'QUEUED', now(), now() + make_interval(secs => $4::float8),
                    CASE WHEN $4::float8 IS NULL THEN 0 ELSE 1 END, CASE WHEN $4::float8 IS NULL THEN NULL ELSE now() END)
            ON CONFLICT DO NOTHING""";

    /** Never a recipient whose message has no bytes in the store yet (see {@link #STORE_BYTES}). */
    private static final String CLAIM_DUE = """
            UPDATE delivery d
               SET lease_until = now() + make_interval(secs => $2), attempts = d.attempts + 1, last_attempt_at = now()
              FROM (SELECT p.message_id, p.recipient FROM delivery p JOIN message m ON m.id = p.message_id
                     WHERE p.state IN ('QUEUED', 'DEFERRED') AND p.next_attempt_at <= now()
                       AND (p.lease_until IS NULL OR p.lease_until < now())
                       AND m.raw IS NOT NULL
                     ORDER BY p.next_attempt_at
                     LIMIT $1
                       FOR UPDATE OF p SKIP LOCKED) due
             WHERE d.message_id = due.message_id AND d.recipient = due.recipient
            RETURNING d.message_id, d.recipient, d.destination, d.attempts""";

    /**
     * The bytes of a message stored without them (its rows were stored for a first attempt that was to come first),
     * as long as a recipient still waits for it: never after it was delivered to all.
     */
    private static final String STORE_BYTES = """
            UPDATE message m SET raw = $2
             WHERE m.id = $1 AND m.raw IS NULL
               AND EXISTS (SELECT 1 FROM delivery d WHERE d.message_id = m.id AND d.state <> 'DELIVERED')""";

    private static final String LOAD_CONTENT = """
            SELECT id, mail_from, received_at, envelope::text AS envelope, raw FROM message WHERE id = ANY($1)""";

    /** $7: the attempt the outcome is of; nothing changes when a later lease has counted another one since. */
    private static final String UPDATE_DELIVERY = """
            UPDATE delivery
               SET state = $3, next_attempt_at = coalesce($4, next_attempt_at), last_reply = $5, lease_until = NULL,
                   delivered_at = CASE WHEN $3 = 'DELIVERED' THEN now() ELSE delivered_at END,
                   destination = $6
             WHERE message_id = $1 AND recipient = $2 AND attempts = $7""";

    /** Extends the leases of deliveries still in progress. */
    private static final String RENEW_LEASES = """
            UPDATE delivery d SET lease_until = now() + make_interval(secs => $3)
              FROM unnest($1::text[], $2::text[]) AS k(message_id, recipient)
             WHERE d.message_id = k.message_id AND d.recipient = k.recipient AND d.lease_until IS NOT NULL""";

    /** Quarantined mail past its retention; its bytes and everything else go. */
    private static final String EXPIRE_QUARANTINE = """
            DELETE FROM message WHERE action = 'QUARANTINE' AND received_at < now() - make_interval(secs => $1)""";

    /** Delivered, failed or expired mail past its retention: nothing of it is pending any more. */
    private static final String EXPIRE_FINISHED = """
            DELETE FROM message m
             WHERE m.action IN ('DELIVER', 'RELEASED') AND m.received_at < now() - make_interval(secs => $1)
               AND NOT EXISTS (SELECT 1 FROM delivery d WHERE d.message_id = m.id AND d.state IN ('QUEUED', 'DEFERRED'))""";

    /**
     * Recipients of messages older than the queue lifetime ($1 seconds) whose bytes never reached the store: rows
     * stored for a first attempt whose record was not read again (decision 0008). Not while a lease holds them. Up to
     * $3 at a time, oldest first; their reason is $2.
     */
    private static final String EXPIRE_WITHOUT_BYTES = """
            UPDATE delivery d SET state = 'EXPIRED', last_reply = $2, lease_until = NULL
              FROM (SELECT p.message_id, p.recipient, m.mail_from, m.received_at, m.envelope::text AS envelope
                      FROM delivery p JOIN message m ON m.id = p.message_id
                     WHERE p.state IN ('QUEUED', 'DEFERRED') AND m.raw IS NULL
                       AND (p.lease_until IS NULL OR p.lease_until < now())
                       AND m.received_at < now() - make_interval(secs => $1)
                     ORDER BY m.received_at
                     LIMIT $3
                       FOR UPDATE OF p, m SKIP LOCKED) lost
             WHERE d.message_id = lost.message_id AND d.recipient = lost.recipient
            RETURNING d.message_id, d.recipient, d.destination, d.attempts, lost.mail_from, lost.received_at, lost.envelope""";

    /** Once every recipient has a message, its bytes are no longer needed. */
    private static final String DROP_DELIVERED_CONTENT = """
            UPDATE message m SET raw = NULL
             WHERE m.id = ANY($1) AND m.raw IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM delivery d WHERE d.message_id = m.id AND d.state <> 'DELIVERED')""";

    private final Pool pool;

    public MailStore(Pool pool) {
        this.pool = pool;
    }

    /**
     * Stores judged messages and their deliveries in one transaction (one commit, one WAL flush, for the lot).
     *
     * @return for each message in order: true when it is new; false when a message with its id was stored before
     *     (a redelivered record)
     */
    public Uni<List<Boolean>> storeAll(List<NewMessage> messages) {
        return pool.withTransaction(conn -> conn.preparedQuery(INSERT_MESSAGE)
                .executeBatch(messages.stream().map(MailStore::messageRow).toList())
                .chain(results -> {
                    List<Boolean> isNew = new ArrayList<>(messages.size());
                    List<Tuple> deliveries = new ArrayList<>();
                    RowSet<Row> result = results;
                    for (NewMessage message : messages) {
                        boolean inserted = result.rowCount() > 0;
                        isNew.add(inserted);
                        if (inserted) {
                            deliveries.addAll(deliveryRows(message));
                        }
                        result = result.next();
                    }
                    return deliveries.isEmpty() ? Uni.createFrom().item(isNew)
                            : conn.preparedQuery(INSERT_DELIVERY).executeBatch(deliveries).replaceWith(isNew);
                }));
    }

    /**
     * Whether a store failure may go away by itself (PostgreSQL down, restarting, overloaded): then the caller
     * waits and retries. Data, constraint and statement errors (SQLSTATE classes 22, 23, 42) never pass.
     */
    public static boolean mayPass(Throwable failure) {
        if (failure instanceof PgException pg && pg.getSqlState() != null) {
            String sqlClass = pg.getSqlState().substring(0, 2);
            return !(sqlClass.equals("22") || sqlClass.equals("23") || sqlClass.equals("42"));
        }
        return true;
    }

    /**
     * {@code work}, retried for as long as its failure may pass ({@link #mayPass}: PostgreSQL away), every 200 ms at
     * first and at most every 10 s, each failure logged as "cannot store {@code what} yet"; a failure that never
     * passes ends it.
     */
    public static <T> Uni<T> retriedWhileItMayPass(Uni<T> work, String what) {
        return retriedWhileItMayPass(work, what, Duration.ofSeconds(10));
    }

    /** As {@link #retriedWhileItMayPass(Uni, String)}, at most every {@code maxBackoff}. */
    public static <T> Uni<T> retriedWhileItMayPass(Uni<T> work, String what, Duration maxBackoff) {
        return work
                .onFailure(MailStore::mayPass).invoke(e -> LOG.warnf("cannot store %s yet (retrying): %s", what, e))
                .onFailure(MailStore::mayPass).retry().withBackOff(Duration.ofMillis(200), maxBackoff)
                .indefinitely();
    }

    private Uni<Boolean> insert(SqlConnection conn, NewMessage message) {
        return conn.preparedQuery(INSERT_MESSAGE).execute(messageRow(message))
                .chain(inserted -> inserted.rowCount() == 0 || message.deliveries().isEmpty()
                        ? Uni.createFrom().item(inserted.rowCount() > 0)
                        : conn.preparedQuery(INSERT_DELIVERY).executeBatch(deliveryRows(message)).replaceWith(true));
    }

    private static Tuple messageRow(NewMessage message) {
        var e = message.envelope();
        var v = message.verdict();
        Tuple row = Tuple.tuple()
                .addString(e.messageId())
                .addOffsetDateTime(utc(e.receivedAt()))
                .addString(e.clientIp())
                .addString(e.heloName())
                .addString(e.mailFrom())
                .addArrayOfString(e.recipients().toArray(String[]::new))
                .addInteger((int) Math.min(Integer.MAX_VALUE, e.size()))
                .addString(message.envelopeJson())
                .addString(v.action().name())
                .addDouble(v.score())
                .addDouble(v.threshold())
                .addString(message.hitsJson())
                .addOffsetDateTime(utc(v.decidedAt()));
        // the mutiny Tuple takes no null Buffer; a plain null value is a SQL NULL of the parameter's type
        return (message.bytesAfterAttempt() ? row.addValue(null) : row.addBuffer(Buffer.buffer(message.raw())))
                .addString(message.subject());
    }

    private static List<Tuple> deliveryRows(NewMessage message) {
        Double lease = message.firstAttempt() == null ? null : message.firstAttempt().toMillis() / 1000.0;
        return message.deliveries().stream()
                .map(d -> Tuple.tuple().addString(message.envelope().messageId()).addString(d.recipient())
                        .addString(d.destination()).addDouble(lease))
                .toList();
    }

    /** Leases up to {@code limit} due recipients to this instance (SKIP LOCKED: instances never share one). */
    public Uni<List<ClaimedDelivery>> claimDue(int limit, Duration lease) {
        return pool.preparedQuery(CLAIM_DUE).execute(Tuple.of(limit, (double) lease.toSeconds()))
                .map(rows -> {
                    List<ClaimedDelivery> claimed = new ArrayList<>(rows.size());
                    for (Row r : rows) {
                        claimed.add(new ClaimedDelivery(r.getString("message_id"), r.getString("recipient"),
                                r.getString("destination"), r.getInteger("attempts")));
                    }
                    return claimed;
                });
    }

    /** Renews the leases of deliveries this instance is still working on. */
    public Uni<Void> renewLeases(List<ClaimedDelivery> inProgress, Duration lease) {
        if (inProgress.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return pool.preparedQuery(RENEW_LEASES).execute(Tuple.tuple()
                        .addArrayOfString(inProgress.stream().map(ClaimedDelivery::messageId).toArray(String[]::new))
                        .addArrayOfString(inProgress.stream().map(ClaimedDelivery::recipient).toArray(String[]::new))
                        .addDouble((double) lease.toSeconds()))
                .replaceWithVoid();
    }

    public Uni<Map<String, MessageContent>> loadContent(Collection<String> messageIds) {
        return pool.preparedQuery(LOAD_CONTENT).execute(Tuple.tuple().addArrayOfString(messageIds.toArray(String[]::new)))
                .map(MailStore::contents);
    }

    private static Map<String, MessageContent> contents(RowSet<Row> rows) {
        Map<String, MessageContent> byId = new HashMap<>();
        for (Row r : rows) {
            Buffer raw = r.getBuffer("raw");
            byId.put(r.getString("id"), new MessageContent(r.getString("id"), r.getString("mail_from"),
                    r.getOffsetDateTime("received_at").toInstant(), r.getString("envelope"), raw == null ? null : raw.getBytes()));
        }
        return byId;
    }

    /**
     * Records what the attempts did, ends the leases, and drops the bytes of fully delivered messages. In the same
     * transaction it writes the bytes of messages stored without them that a recipient still waits for
     * ({@link #storeBytes}), and queues the delivery status reports that {@code reportsFor} makes of the outcomes
     * recorded: a failure is recorded together with its report, and a deferral with the bytes it needs, or not at
     * all. An outcome whose recipient a later lease has taken since ({@link DeliveryUpdate#attempt()}) is not
     * recorded and gets no report: the later attempt's outcome is the one reported. Running it again changes nothing
     * more, as long as {@code reportsFor} gives its reports the same ids each time.
     *
     * @return the reports queued
     */
    public Uni<List<NewMessage>> record(List<DeliveryUpdate> updates,
            Function<List<DeliveryUpdate>, List<NewMessage>> reportsFor, List<MessageContent> bytes) {
        if (updates.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        List<Tuple> rows = updates.stream()
                .map(u -> Tuple.tuple().addString(u.messageId()).addString(u.recipient()).addString(u.state().name())
                        .addOffsetDateTime(u.nextAttemptAt() == null ? null : utc(u.nextAttemptAt()))
                        .addString(u.reply()).addString(u.destination()).addInteger(u.attempt()))
                .toList();
        String[] ids = updates.stream().map(DeliveryUpdate::messageId).distinct().toArray(String[]::new);
        return pool.withTransaction(conn -> {
            Uni<List<DeliveryUpdate>> recorded = conn.preparedQuery(UPDATE_DELIVERY).executeBatch(rows)
                    .map(results -> changed(updates, results));
            if (!bytes.isEmpty()) {
                recorded = recorded.call(() -> conn.preparedQuery(STORE_BYTES).executeBatch(bytesRows(bytes)));
            }
            return recorded
                    .call(() -> conn.preparedQuery(DROP_DELIVERED_CONTENT).execute(Tuple.tuple().addArrayOfString(ids)))
                    .chain(changed -> insertAll(conn, reportsFor.apply(changed)));
        });
    }

    /** The updates whose row the batch changed, from its per-statement results (in the order of the updates). */
    private static List<DeliveryUpdate> changed(List<DeliveryUpdate> updates, RowSet<Row> results) {
        List<DeliveryUpdate> changed = new ArrayList<>(updates.size());
        RowSet<Row> result = results;
        for (DeliveryUpdate update : updates) {
            if (result.rowCount() > 0) {
                changed.add(update);
            }
            result = result.next();
        }
        return changed;
    }

    /** Inserts these messages one after the other; completes with them. */
    private Uni<List<NewMessage>> insertAll(SqlConnection conn, List<NewMessage> messages) {
        Uni<?> done = Uni.createFrom().voidItem();
        for (NewMessage message : messages) {
            done = done.chain(() -> insert(conn, message));
        }
        return done.replaceWith(messages);
    }

    /**
     * Writes the bytes of messages stored without them, where a recipient still waits for them (a message delivered
     * to all meanwhile, or stored with its bytes, is left as it is).
     *
     * @return how many messages got their bytes
     */
    public Uni<Integer> storeBytes(List<MessageContent> contents) {
        if (contents.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return pool.preparedQuery(STORE_BYTES).executeBatch(bytesRows(contents)).map(result -> {
            int written = 0;
            for (RowSet<Row> r = result; r != null; r = r.next()) {
                written += r.rowCount();
            }
            return written;
        });
    }

    private static List<Tuple> bytesRows(List<MessageContent> contents) {
        return contents.stream().map(c -> Tuple.tuple().addString(c.messageId()).addBuffer(Buffer.buffer(c.raw()))).toList();
    }

    /**
     * Expires up to {@code limit} recipients whose message is older than {@code lifetime} and never got its bytes
     * into the store (see {@link #EXPIRE_WITHOUT_BYTES}), with {@code reason} as their last reply, and queues the
     * delivery status reports {@code reportsFor} makes of them (from the outcomes, and each message's content
     * without bytes) in the same transaction.
     *
     * @return how many recipients were expired
     */
    public Uni<Integer> expireWithoutBytes(Duration lifetime, String reason, int limit,
            BiFunction<List<DeliveryUpdate>, Map<String, MessageContent>, List<NewMessage>> reportsFor) {
        return pool.withTransaction(conn -> conn.preparedQuery(EXPIRE_WITHOUT_BYTES)
                .execute(Tuple.of((double) lifetime.toSeconds(), reason, limit))
                .chain(rows -> {
                    List<DeliveryUpdate> expired = new ArrayList<>(rows.size());
                    Map<String, MessageContent> contents = new HashMap<>();
                    for (Row r : rows) {
                        String id = r.getString("message_id");
                        expired.add(new DeliveryUpdate(id, r.getString("recipient"), DeliveryUpdate.State.EXPIRED, null,
                                reason, r.getString("destination"), r.getInteger("attempts")));
                        contents.computeIfAbsent(id, k -> new MessageContent(id, r.getString("mail_from"),
                                r.getOffsetDateTime("received_at").toInstant(), r.getString("envelope"), null));
                    }
                    return insertAll(conn, reportsFor.apply(expired, contents)).replaceWith(expired.size());
                }));
    }

    /**
     * Deletes quarantined mail older than {@code quarantine} and finished mail (nothing pending) older than
     * {@code finished}, with their delivery records.
     *
     * @return how many messages were deleted
     */
    public Uni<Integer> expire(Duration quarantine, Duration finished) {
        return pool.preparedQuery(EXPIRE_QUARANTINE).execute(Tuple.of((double) quarantine.toSeconds()))
                .chain(q -> pool.preparedQuery(EXPIRE_FINISHED).execute(Tuple.of((double) finished.toSeconds()))
                        .map(f -> q.rowCount() + f.rowCount()));
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
