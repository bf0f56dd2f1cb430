package org.mailgateway.admin.store;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.mailgateway.contracts.BlockEntry;

/** The history of block and allow entries (admin-api's table block_history). SQL and row mapping only. */
@ApplicationScoped
public class BlockHistoryStore {

    private static final String INSERT = """
            INSERT INTO block_history (topic_partition, topic_offset, cidr, recorded_at, removed, kind, source, reason,
                                       created_at, expires_at, offence, created_by)
            SELECT * FROM unnest($1::integer[], $2::bigint[], $3::text[]::cidr[], $4::timestamptz[], $5::boolean[],
                                 $6::text[], $7::text[], $8::text[], $9::timestamptz[], $10::timestamptz[],
                                 $11::integer[], $12::text[])
            ON CONFLICT (topic_partition, topic_offset) DO NOTHING""";

    private static final String COVERING = """
            SELECT text(cidr) AS cidr, recorded_at, removed, kind, source, reason, created_at, expires_at, offence, created_by
              FROM block_history
             WHERE cidr >>= $1::text::inet
             ORDER BY recorded_at DESC, topic_offset DESC
             LIMIT $2""";

    private final Pool pool;

    public BlockHistoryStore(Pool pool) {
        this.pool = pool;
    }

    /** One record of the topic: an entry, or a removal ({@code entry} null) of {@code cidr}. */
    public record Change(int partition, long offset, String cidr, Instant recordedAt, BlockEntry entry) {
    }

    /** One row of a range's history. */
    public record HistoryRow(String cidr, Instant recordedAt, boolean removed, String kind, String source, String reason,
            Instant createdAt, Instant expiresAt, Integer offence, String createdBy) {
    }

    /** Stores the changes; a change already stored (same partition and offset) is skipped. */
    public Uni<Void> record(List<Change> changes) {
        int n = changes.size();
        Integer[] partitions = new Integer[n];
        Long[] offsets = new Long[n];
        String[] cidrs = new String[n];
        OffsetDateTime[] recorded = new OffsetDateTime[n];
        Boolean[] removed = new Boolean[n];
        String[] kinds = new String[n];
        String[] sources = new String[n];
        String[] reasons = new String[n];
        OffsetDateTime[] created = new OffsetDateTime[n];
        OffsetDateTime[] expires = new OffsetDateTime[n];
        Integer[] offences = new Integer[n];
        String[] createdBy = new String[n];
        for (int i = 0; i < n; i++) {
            Change c = changes.get(i);
            BlockEntry e = c.entry();
            partitions[i] = c.partition();
            offsets[i] = c.offset();
            cidrs[i] = c.cidr();
            recorded[i] = utc(c.recordedAt());
            removed[i] = e == null;
            if (e != null) {
                kinds[i] = e.kind().name();
                sources[i] = e.source().name();
                reasons[i] = e.reason();
                created[i] = utc(e.createdAt());
                expires[i] = utc(e.expiresAt());
                offences[i] = e.offence();
                createdBy[i] = e.createdBy();
            }
        }
        Tuple params = Tuple.tuple().addArrayOfInteger(partitions).addArrayOfLong(offsets).addArrayOfString(cidrs)
                .addArrayOfOffsetDateTime(recorded).addArrayOfBoolean(removed).addArrayOfString(kinds)
                .addArrayOfString(sources).addArrayOfString(reasons).addArrayOfOffsetDateTime(created)
                .addArrayOfOffsetDateTime(expires).addArrayOfInteger(offences).addArrayOfString(createdBy);
        return pool.preparedQuery(INSERT).execute(params).replaceWithVoid();
    }

    /** Every change of a range that contains {@code address}, newest first. */
    public Uni<List<HistoryRow>> covering(String address, int limit) {
        return pool.preparedQuery(COVERING).execute(Tuple.of(address, limit)).map(rows -> {
            List<HistoryRow> out = new ArrayList<>(rows.size());
            for (Row r : rows) {
                out.add(new HistoryRow(r.getString("cidr"), instant(r.getOffsetDateTime("recorded_at")), r.getBoolean("removed"),
                        r.getString("kind"), r.getString("source"), r.getString("reason"),
                        instant(r.getOffsetDateTime("created_at")), instant(r.getOffsetDateTime("expires_at")),
                        r.getInteger("offence"), r.getString("created_by")));
            }
            return out;
        });
    }

    static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }
}
