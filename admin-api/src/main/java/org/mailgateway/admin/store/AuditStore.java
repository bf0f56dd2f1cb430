package org.mailgateway.admin.store;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** The audit table (admin.audit, migration db/admin-migration/V1__audit.sql). SQL and row mapping only. */
@ApplicationScoped
public class AuditStore {

    private static final String INSERT = """
            INSERT INTO admin.audit (key_name, role, action, target, status) VALUES ($1, $2, $3, $4::text::jsonb, $5)""";

    /** Newest first; {@code $4} is the id of the last row of the previous page. */
    private static final String PAGE = """
            SELECT id, at, key_name, role, action, target::text AS target, status
              FROM admin.audit
             WHERE ($1::text IS NULL OR key_name = $1)
               AND ($2::text IS NULL OR strpos(lower(action), lower($2)) > 0)
               AND ($3::timestamptz IS NULL OR at >= $3)
               AND ($4::bigint IS NULL OR id < $4)
             ORDER BY id DESC
             LIMIT $5""";

    private final Pool pool;

    public AuditStore(Pool pool) {
        this.pool = pool;
    }

    /** One record; {@code targetJson} is a JSON object. */
    public Uni<Void> insert(String keyName, String role, String action, String targetJson, int status) {
        return pool.preparedQuery(INSERT).execute(Tuple.of(keyName, role, action, targetJson, status)).replaceWithVoid();
    }

    /**
     * @param key    exact key name, or null
     * @param action a part of the action (case-insensitive), or null
     * @param since  earliest time, or null
     * @param before the id the page starts below, or null for the newest
     */
    public Uni<List<AuditRow>> page(String key, String action, Instant since, Long before, int limit) {
        Tuple params = Tuple.tuple().addString(key).addString(action)
                .addOffsetDateTime(since == null ? null : since.atOffset(ZoneOffset.UTC)).addLong(before).addInteger(limit);
        return pool.preparedQuery(PAGE).execute(params).map(rows -> {
            List<AuditRow> page = new ArrayList<>(rows.size());
            for (Row r : rows) {
                page.add(new AuditRow(r.getLong("id"), r.getOffsetDateTime("at").toInstant(), r.getString("key_name"),
                        r.getString("role"), r.getString("action"), r.getString("target"), r.getInteger("status")));
            }
            return page;
        });
    }

    /** One audit record as stored. */
    public record AuditRow(long id, Instant at, String keyName, String role, String action, String targetJson, int status) {
    }
}
