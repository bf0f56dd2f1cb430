package org.mailgateway.admin.store;

import static org.mailgateway.admin.store.BlockHistoryStore.instant;
import static org.mailgateway.admin.store.BlockHistoryStore.utc;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Mail over time from the mail store (message, owned by queue-service). SQL and row mapping only. */
@ApplicationScoped
public class TrafficStore {

    /** Uses message_received_idx (received_at). Hours without mail have no row. */
    private static final String PER_HOUR = """
            SELECT date_trunc('hour', received_at, 'UTC') AS hour, action, count(*) AS n
              FROM message
             WHERE received_at >= $1
             GROUP BY 1, 2
             ORDER BY 1, 2""";

    private final Pool pool;

    public TrafficStore(Pool pool) {
        this.pool = pool;
    }

    /** Messages received in one hour (UTC) whose verdict row now says {@code action} (DELIVER, QUARANTINE, RELEASED). */
    public record HourCount(Instant hour, String action, long messages) {
    }

    public Uni<List<HourCount>> perHour(Instant since) {
        return pool.preparedQuery(PER_HOUR).execute(Tuple.of(utc(since))).map(rows -> {
            List<HourCount> out = new ArrayList<>(rows.size());
            rows.forEach(r -> out.add(new HourCount(instant(r.getOffsetDateTime("hour")), r.getString("action"), r.getLong("n"))));
            return out;
        });
    }
}
