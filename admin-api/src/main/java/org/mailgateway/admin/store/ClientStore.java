package org.mailgateway.admin.store;

import static org.mailgateway.admin.store.BlockHistoryStore.instant;
import static org.mailgateway.admin.store.BlockHistoryStore.utc;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads for the client views and the impact preview of a block: admin-api's session counters (client_hour,
 * client_helo) and the mail store (message, delivery; owned by queue-service). SQL and row mapping only.
 */
@ApplicationScoped
public class ClientStore {

    private static final String ACTIVITY = """
            SELECT min(first_seen) AS first_seen, max(last_seen) AS last_seen,
                   coalesce(sum(sessions), 0) AS sessions, coalesce(sum(blocked_sessions), 0) AS blocked_sessions,
                   coalesce(sum(relay_attempts), 0) AS relay_attempts, coalesce(sum(auth_failures), 0) AS auth_failures,
                   coalesce(sum(refused_commands), 0) AS refused_commands,
                   coalesce(sum(messages_accepted), 0) AS messages_accepted
              FROM client_hour
             WHERE ip = $1::text::inet""";

    private static final String HELOS = """
            SELECT helo_name, sessions, first_seen, last_seen, count(*) OVER () AS distinct_names
              FROM client_helo
             WHERE ip = $1::text::inet
             ORDER BY sessions DESC, helo_name
             LIMIT $2""";

    private static final String HOURS = """
            SELECT hour, sessions, blocked_sessions, relay_attempts, auth_failures, messages_accepted
              FROM client_hour
             WHERE ip = $1::text::inet
             ORDER BY hour DESC
             LIMIT $2""";

    private static final String MESSAGES = """
            SELECT count(*) FILTER (WHERE action = 'DELIVER') AS deliver,
                   count(*) FILTER (WHERE action = 'QUARANTINE') AS quarantined,
                   count(*) FILTER (WHERE action = 'RELEASED') AS released,
                   min(received_at) AS first_message, max(received_at) AS last_message
              FROM message
             WHERE client_ip = $1::text::inet""";

    private static final String RECIPIENTS = """
            SELECT d.state, count(*) AS n
              FROM delivery d JOIN message m ON m.id = d.message_id
             WHERE m.client_ip = $1::text::inet
             GROUP BY d.state""";

    private static final String RULE_HITS = """
            SELECT h.hit->>'reason' AS reason, count(*) AS n
              FROM message m, jsonb_array_elements(m.hits) AS h(hit)
             WHERE m.client_ip = $1::text::inet AND h.hit->>'rule' = $2
             GROUP BY 1
             ORDER BY 2 DESC, 1
             LIMIT $3""";

    /** %s = the ORDER BY column, chosen from {@link TopSort}, never from the caller's text. */
    private static final String TOP = """
            WITH s AS (SELECT ip, sum(sessions) AS sessions, sum(relay_attempts) AS relay_attempts,
                              sum(auth_failures) AS auth_failures, max(last_seen) AS last_seen
                         FROM client_hour WHERE hour >= date_trunc('hour', $1::timestamptz, 'UTC') GROUP BY ip),
                 m AS (SELECT client_ip AS ip, count(*) AS messages, sum(score) AS score_sum,
                              count(*) FILTER (WHERE action = 'QUARANTINE') AS quarantined, max(received_at) AS last_seen
                         FROM message WHERE received_at >= $1 GROUP BY client_ip),
                 h AS (SELECT ip, count(*) AS helo_names FROM client_helo WHERE last_seen >= $1 GROUP BY ip),
                 c AS (SELECT coalesce(s.ip, m.ip) AS ip,
                              coalesce(s.sessions, 0) AS sessions, coalesce(s.relay_attempts, 0) AS relay_attempts,
                              coalesce(s.auth_failures, 0) AS auth_failures, coalesce(m.messages, 0) AS messages,
                              coalesce(m.quarantined, 0) AS quarantined, coalesce(m.score_sum, 0) AS score_sum,
                              greatest(s.last_seen, m.last_seen) AS last_seen
                         FROM s FULL JOIN m ON m.ip = s.ip)
            SELECT host(c.ip) AS ip, c.sessions, c.relay_attempts, c.auth_failures, c.messages, c.quarantined,
                   coalesce(h.helo_names, 0) AS helo_names, c.last_seen,
                   c.score_sum + $2::float8 * c.relay_attempts + $3::float8 * c.auth_failures AS score
              FROM c LEFT JOIN h ON h.ip = c.ip
             ORDER BY %s DESC, c.ip
             LIMIT $4""";

    private static final String IMPACT = """
            SELECT count(*) FILTER (WHERE action IN ('DELIVER', 'RELEASED')) AS delivered,
                   count(*) FILTER (WHERE action = 'QUARANTINE') AS quarantined,
                   count(*) FILTER (WHERE action = 'RELEASED') AS released,
                   count(DISTINCT client_ip) AS addresses
              FROM message
             WHERE client_ip <<= $1::text::cidr AND received_at >= $2""";

    private static final String RANGE_SESSIONS = """
            SELECT coalesce(sum(sessions), 0) AS sessions, coalesce(sum(relay_attempts), 0) AS relay_attempts,
                   count(DISTINCT ip) AS addresses
              FROM client_hour
             WHERE ip <<= $1::text::cidr AND hour >= date_trunc('hour', $2::timestamptz, 'UTC')""";

    private static final String IMPACT_DOMAINS = """
            SELECT coalesce(lower(substring(mail_from FROM '@([^@]*)$')), '') AS domain,
                   count(*) FILTER (WHERE action IN ('DELIVER', 'RELEASED')) AS delivered,
                   count(*) FILTER (WHERE action = 'QUARANTINE') AS quarantined
              FROM message
             WHERE client_ip <<= $1::text::cidr AND received_at >= $2
             GROUP BY 1
             ORDER BY 2 DESC, 3 DESC, 1
             LIMIT $3""";

    /** Per entry: sessions refused at connect inside its range since it was made (BLOCK), or sessions (ALLOW). */
    private static final String ENTRY_HITS = """
            SELECT e.cidr, coalesce(sum(CASE WHEN e.kind = 'BLOCK' THEN h.blocked_sessions ELSE h.sessions END), 0) AS hits
              FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS e(cidr, kind, since)
              LEFT JOIN client_hour h ON h.ip <<= e.cidr::cidr AND h.hour >= date_trunc('hour', e.since, 'UTC')
             GROUP BY e.cidr""";

    private final Pool pool;

    public ClientStore(Pool pool) {
        this.pool = pool;
    }

    /** What the session counters know about one address (all zero and null times when nothing). */
    public record Activity(Instant firstSeen, Instant lastSeen, long sessions, long blockedSessions, long relayAttempts,
            long authFailures, long refusedCommands, long messagesAccepted) {
    }

    public record HeloCount(String name, long sessions, Instant firstSeen, Instant lastSeen) {
    }

    public record Helos(long distinct, List<HeloCount> top) {
    }

    public record Hour(Instant hour, long sessions, long blockedSessions, long relayAttempts, long authFailures,
            long messagesAccepted) {
    }

    /** Messages of one client in the mail store by action, and their recipients by delivery state. */
    public record Messages(long deliver, long quarantined, long released, Instant firstMessage, Instant lastMessage,
            Map<String, Long> recipientsByState) {
    }

    public record ReasonCount(String reason, long count) {
    }

    /** The orders of the top-offender list. */
    public enum TopSort {
        SCORE("score"), RELAY_ATTEMPTS("c.relay_attempts"), HELO_NAMES("helo_names");

        private final String column;

        TopSort(String column) {
            this.column = column;
        }
    }

    public record TopRow(String ip, double score, long sessions, long relayAttempts, long authFailures, long messages,
            long quarantined, long heloNames, Instant lastSeen) {
    }

    public record Impact(long delivered, long quarantined, long released, long addresses) {
    }

    /** Sessions from a range (counted per hour, so from the start of the hour of {@code since}). */
    public record RangeSessions(long sessions, long relayAttempts, long addresses) {
    }

    public record DomainCount(String domain, long delivered, long quarantined) {
    }

    /** An entry whose hits to count: its range, kind and creation time. */
    public record EntryKey(String cidr, String kind, Instant since) {
    }

    public Uni<Activity> activity(String ip) {
        return one(ACTIVITY, Tuple.of(ip), r -> new Activity(instant(r.getOffsetDateTime("first_seen")),
                instant(r.getOffsetDateTime("last_seen")), r.getLong("sessions"), r.getLong("blocked_sessions"),
                r.getLong("relay_attempts"), r.getLong("auth_failures"), r.getLong("refused_commands"),
                r.getLong("messages_accepted")));
    }

    public Uni<Helos> helos(String ip, int limit) {
        return pool.preparedQuery(HELOS).execute(Tuple.of(ip, limit)).map(rows -> {
            List<HeloCount> top = new ArrayList<>();
            long distinct = 0;
            for (Row r : rows) {
                distinct = r.getLong("distinct_names");
                top.add(new HeloCount(r.getString("helo_name"), r.getLong("sessions"),
                        instant(r.getOffsetDateTime("first_seen")), instant(r.getOffsetDateTime("last_seen"))));
            }
            return new Helos(distinct, top);
        });
    }

    public Uni<List<Hour>> recentHours(String ip, int limit) {
        return list(HOURS, Tuple.of(ip, limit), r -> new Hour(instant(r.getOffsetDateTime("hour")), r.getLong("sessions"),
                r.getLong("blocked_sessions"), r.getLong("relay_attempts"), r.getLong("auth_failures"),
                r.getLong("messages_accepted")));
    }

    public Uni<Messages> messages(String ip) {
        Uni<Map<String, Long>> recipients = pool.preparedQuery(RECIPIENTS).execute(Tuple.of(ip)).map(rows -> {
            Map<String, Long> byState = new HashMap<>();
            rows.forEach(r -> byState.put(r.getString("state"), r.getLong("n")));
            return byState;
        });
        return pool.preparedQuery(MESSAGES).execute(Tuple.of(ip)).map(rows -> rows.iterator().next())
                .chain(r -> recipients.map(byState -> new Messages(r.getLong("deliver"), r.getLong("quarantined"),
                        r.getLong("released"), instant(r.getOffsetDateTime("first_message")),
                        instant(r.getOffsetDateTime("last_message")), byState)));
    }

    /** The hits of rule {@code rule} in this client's messages, counted per reason (e.g. per listing zone). */
    public Uni<List<ReasonCount>> ruleHits(String ip, String rule, int limit) {
        return list(RULE_HITS, Tuple.of(ip, rule, limit), r -> new ReasonCount(r.getString("reason"), r.getLong("n")));
    }

    public Uni<List<TopRow>> top(TopSort sort, Instant since, double relayWeight, double authWeight, int limit) {
        Tuple params = Tuple.of(utc(since), relayWeight, authWeight, limit);
        return list(TOP.formatted(sort.column), params, r -> new TopRow(r.getString("ip"), r.getDouble("score"),
                r.getLong("sessions"), r.getLong("relay_attempts"), r.getLong("auth_failures"), r.getLong("messages"),
                r.getLong("quarantined"), r.getLong("helo_names"), instant(r.getOffsetDateTime("last_seen"))));
    }

    public Uni<Impact> impact(String cidr, Instant since) {
        return one(IMPACT, Tuple.of(cidr, utc(since)), r -> new Impact(r.getLong("delivered"), r.getLong("quarantined"),
                r.getLong("released"), r.getLong("addresses")));
    }

    public Uni<RangeSessions> rangeSessions(String cidr, Instant since) {
        return one(RANGE_SESSIONS, Tuple.of(cidr, utc(since)), r -> new RangeSessions(r.getLong("sessions"),
                r.getLong("relay_attempts"), r.getLong("addresses")));
    }

    public Uni<List<DomainCount>> impactDomains(String cidr, Instant since, int limit) {
        return list(IMPACT_DOMAINS, Tuple.of(cidr, utc(since), limit), r -> new DomainCount(r.getString("domain"),
                r.getLong("delivered"), r.getLong("quarantined")));
    }

    /** Hit count per CIDR of {@code entries}. */
    public Uni<Map<String, Long>> entryHits(List<EntryKey> entries) {
        if (entries.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        Tuple params = Tuple.tuple()
                .addArrayOfString(entries.stream().map(EntryKey::cidr).toArray(String[]::new))
                .addArrayOfString(entries.stream().map(EntryKey::kind).toArray(String[]::new))
                .addArrayOfOffsetDateTime(entries.stream().map(e -> utc(e.since())).toArray(java.time.OffsetDateTime[]::new));
        return pool.preparedQuery(ENTRY_HITS).execute(params).map(rows -> {
            Map<String, Long> hits = new HashMap<>();
            rows.forEach(r -> hits.put(r.getString("cidr"), r.getLong("hits")));
            return hits;
        });
    }

    private <T> Uni<T> one(String sql, Tuple params, Function<Row, T> mapper) {
        return pool.preparedQuery(sql).execute(params).map(rows -> mapper.apply(rows.iterator().next()));
    }

    private <T> Uni<List<T>> list(String sql, Tuple params, Function<Row, T> mapper) {
        return pool.preparedQuery(sql).execute(params).map((RowSet<Row> rows) -> {
            List<T> out = new ArrayList<>(rows.size());
            rows.forEach(r -> out.add(mapper.apply(r)));
            return out;
        });
    }
}
