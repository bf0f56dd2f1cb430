package org.mailgateway.admin.store;

import static org.mailgateway.admin.store.BlockHistoryStore.utc;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the per-client counters of smtp.sessions (tables client_hour, client_helo) together with the
 * partition offsets they reach (session_feed_offset), in one transaction. SQL only.
 */
@ApplicationScoped
public class SessionActivityStore {

    private static final String UPSERT_HOURS = """
            INSERT INTO client_hour AS h (ip, hour, sessions, blocked_sessions, relay_attempts, auth_failures,
                                          refused_commands, messages_accepted, first_seen, last_seen)
            SELECT * FROM unnest($1::text[]::inet[], $2::timestamptz[], $3::integer[], $4::integer[], $5::integer[],
                                 $6::integer[], $7::integer[], $8::integer[], $9::timestamptz[], $10::timestamptz[])
            ON CONFLICT (ip, hour) DO UPDATE SET
                sessions = h.sessions + EXCLUDED.sessions,
                blocked_sessions = h.blocked_sessions + EXCLUDED.blocked_sessions,
                relay_attempts = h.relay_attempts + EXCLUDED.relay_attempts,
                auth_failures = h.auth_failures + EXCLUDED.auth_failures,
                refused_commands = h.refused_commands + EXCLUDED.refused_commands,
                messages_accepted = h.messages_accepted + EXCLUDED.messages_accepted,
                first_seen = least(h.first_seen, EXCLUDED.first_seen),
                last_seen = greatest(h.last_seen, EXCLUDED.last_seen)""";

    private static final String UPSERT_HELOS = """
            INSERT INTO client_helo AS c (ip, helo_name, sessions, first_seen, last_seen)
            SELECT * FROM unnest($1::text[]::inet[], $2::text[], $3::integer[], $4::timestamptz[], $5::timestamptz[])
            ON CONFLICT (ip, helo_name) DO UPDATE SET
                sessions = c.sessions + EXCLUDED.sessions,
                first_seen = least(c.first_seen, EXCLUDED.first_seen),
                last_seen = greatest(c.last_seen, EXCLUDED.last_seen)""";

    private static final String UPSERT_OFFSETS = """
            INSERT INTO session_feed_offset (topic_partition, next_offset)
            SELECT * FROM unnest($1::integer[], $2::bigint[])
            ON CONFLICT (topic_partition) DO UPDATE SET next_offset = EXCLUDED.next_offset""";

    private static final String EXPIRE = """
            WITH hours AS (DELETE FROM client_hour WHERE hour < $1 RETURNING 1),
                 helos AS (DELETE FROM client_helo WHERE last_seen < $1 RETURNING 1)
            SELECT (SELECT count(*) FROM hours) + (SELECT count(*) FROM helos) AS deleted""";

    /** The partitions of a batch whose stored offset is already past the batch's first record (counted before). */
    private static final String FENCE = """
            SELECT o.topic_partition
              FROM session_feed_offset o
              JOIN unnest($1::integer[], $2::bigint[]) AS b(topic_partition, first_offset) USING (topic_partition)
             WHERE o.next_offset > b.first_offset
               FOR UPDATE OF o""";

    private static final String OFFSETS = "SELECT topic_partition, next_offset FROM session_feed_offset";

    private final Pool pool;

    public SessionActivityStore(Pool pool) {
        this.pool = pool;
    }

    /** One client address in one hour (the hour its sessions connected in). Rows of one batch have unique keys. */
    public record HourRow(String ip, Instant hour, int sessions, int blockedSessions, int relayAttempts, int authFailures,
            int refusedCommands, int messagesAccepted, Instant firstSeen, Instant lastSeen) {
    }

    /** One HELO name of one client: in how many sessions it was announced. Rows of one batch have unique keys. */
    public record HeloRow(String ip, String heloName, int sessions, Instant firstSeen, Instant lastSeen) {
    }

    /** The stored next offset per partition of smtp.sessions. */
    public Uni<Map<Integer, Long>> offsets() {
        return pool.query(OFFSETS).execute().map(rows -> {
            Map<Integer, Long> out = new HashMap<>();
            for (Row r : rows) {
                out.put(r.getInteger("topic_partition"), r.getLong("next_offset"));
            }
            return out;
        });
    }

    /** A batch (partly) counted before: another consumer, or this one before a restart, stored it already. */
    public static class AlreadyCounted extends RuntimeException {
        AlreadyCounted(List<Integer> partitions) {
            super("sessions of partitions " + partitions + " were already counted; reading again from the stored offsets");
        }
    }

    /**
     * Adds the counters and records the offsets reached, all or nothing. Fails with {@link AlreadyCounted} (and
     * changes nothing) when a partition's stored offset is past {@code firstOffsets}: a consumer that lost its
     * partition in a rebalance cannot count records the new owner counts too.
     *
     * @param firstOffsets per partition, the offset of the batch's first record
     * @param nextOffsets  per partition, the offset after the batch's last record
     */
    public Uni<Void> add(List<HourRow> hours, List<HeloRow> helos, Map<Integer, Long> firstOffsets, Map<Integer, Long> nextOffsets) {
        Integer[] partitions = firstOffsets.keySet().toArray(Integer[]::new);
        Long[] firsts = Arrays.stream(partitions).map(firstOffsets::get).toArray(Long[]::new);
        return pool.withTransaction(conn -> conn.preparedQuery(FENCE).execute(Tuple.of(partitions, firsts))
                .invoke(stale -> {
                    if (stale.size() > 0) {
                        List<Integer> counted = new ArrayList<>();
                        stale.forEach(r -> counted.add(r.getInteger("topic_partition")));
                        throw new AlreadyCounted(counted);
                    }
                })
                .chain(() -> conn.preparedQuery(UPSERT_HOURS).execute(hourParams(hours)))
                .chain(() -> helos.isEmpty() ? Uni.createFrom().voidItem()
                        : conn.preparedQuery(UPSERT_HELOS).execute(heloParams(helos)).replaceWithVoid())
                .chain(() -> conn.preparedQuery(UPSERT_OFFSETS).execute(Tuple.of(
                        nextOffsets.keySet().toArray(Integer[]::new), nextOffsets.values().toArray(Long[]::new)))))
                .replaceWithVoid();
    }

    /** Deletes hour rows before {@code before} and HELO rows last seen before it; the number of rows deleted. */
    public Uni<Long> expire(Instant before) {
        return pool.preparedQuery(EXPIRE).execute(Tuple.of(utc(before))).map(rows -> rows.iterator().next().getLong("deleted"));
    }

    private static Tuple hourParams(List<HourRow> rows) {
        int n = rows.size();
        String[] ip = new String[n];
        OffsetDateTime[] hour = new OffsetDateTime[n];
        Integer[] sessions = new Integer[n];
        Integer[] blocked = new Integer[n];
        Integer[] relay = new Integer[n];
        Integer[] auth = new Integer[n];
        Integer[] refused = new Integer[n];
        Integer[] accepted = new Integer[n];
        OffsetDateTime[] first = new OffsetDateTime[n];
        OffsetDateTime[] last = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            HourRow r = rows.get(i);
            ip[i] = r.ip();
            hour[i] = utc(r.hour());
            sessions[i] = r.sessions();
            blocked[i] = r.blockedSessions();
            relay[i] = r.relayAttempts();
            auth[i] = r.authFailures();
            refused[i] = r.refusedCommands();
            accepted[i] = r.messagesAccepted();
            first[i] = utc(r.firstSeen());
            last[i] = utc(r.lastSeen());
        }
        return Tuple.tuple().addArrayOfString(ip).addArrayOfOffsetDateTime(hour).addArrayOfInteger(sessions)
                .addArrayOfInteger(blocked).addArrayOfInteger(relay).addArrayOfInteger(auth).addArrayOfInteger(refused)
                .addArrayOfInteger(accepted).addArrayOfOffsetDateTime(first).addArrayOfOffsetDateTime(last);
    }

    private static Tuple heloParams(List<HeloRow> rows) {
        int n = rows.size();
        String[] ip = new String[n];
        String[] name = new String[n];
        Integer[] sessions = new Integer[n];
        OffsetDateTime[] first = new OffsetDateTime[n];
        OffsetDateTime[] last = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            HeloRow r = rows.get(i);
            ip[i] = r.ip();
            name[i] = r.heloName();
            sessions[i] = r.sessions();
            first[i] = utc(r.firstSeen());
            last[i] = utc(r.lastSeen());
        }
        return Tuple.tuple().addArrayOfString(ip).addArrayOfString(name).addArrayOfInteger(sessions)
                .addArrayOfOffsetDateTime(first).addArrayOfOffsetDateTime(last);
    }
}
