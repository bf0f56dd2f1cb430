package org.mailgateway.admin.store;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The API keys made over the API (admin.api_key, migration V5__api_key.sql). SQL and row mapping only. */
@ApplicationScoped
public class ApiKeyStore {

    /** No row when the name is taken (the primary key decides, also between replicas). */
    private static final String INSERT = """
            INSERT INTO admin.api_key (name, role, key_hash, created_by) VALUES ($1, $2, $3, $4)
            ON CONFLICT (name) DO NOTHING
            RETURNING name, role, created_at, created_by""";

    private static final String BY_HASH = "SELECT name, role, created_at, created_by FROM admin.api_key WHERE key_hash = $1";

    private static final String BY_NAME = "SELECT name, role, created_at, created_by FROM admin.api_key WHERE name = $1";

    private static final String ALL = "SELECT name, role, created_at, created_by FROM admin.api_key ORDER BY name";

    private static final String DELETE = "DELETE FROM admin.api_key WHERE name = $1";

    /** The console sessions the key opened: a later key of the same name must not inherit them. */
    private static final String DELETE_SESSIONS = "DELETE FROM admin.console_session WHERE key_name = $1";

    private final Pool pool;

    public ApiKeyStore(Pool pool) {
        this.pool = pool;
    }

    /** A key as stored, without its hash. */
    public record KeyRow(String name, String role, Instant createdAt, String createdBy) {
    }

    /** Stores a new key; empty when a key of that name exists already. */
    public Uni<Optional<KeyRow>> insert(String name, String role, String keyHash, String createdBy) {
        return pool.preparedQuery(INSERT).execute(Tuple.of(name, role, keyHash, createdBy)).map(ApiKeyStore::first);
    }

    public Uni<Optional<KeyRow>> byHash(String keyHash) {
        return pool.preparedQuery(BY_HASH).execute(Tuple.of(keyHash)).map(ApiKeyStore::first);
    }

    public Uni<Optional<KeyRow>> byName(String name) {
        return pool.preparedQuery(BY_NAME).execute(Tuple.of(name)).map(ApiKeyStore::first);
    }

    public Uni<List<KeyRow>> all() {
        return pool.query(ALL).execute().map(rows -> {
            List<KeyRow> keys = new ArrayList<>(rows.size());
            rows.forEach(row -> keys.add(row(row)));
            return keys;
        });
    }

    /** Deletes the key and its console sessions in one transaction; false when there was no such key. */
    public Uni<Boolean> delete(String name) {
        return pool.withTransaction(conn -> conn.preparedQuery(DELETE).execute(Tuple.of(name))
                .chain(deleted -> deleted.rowCount() == 0 ? Uni.createFrom().item(false)
                        : conn.preparedQuery(DELETE_SESSIONS).execute(Tuple.of(name)).replaceWith(true)));
    }

    private static Optional<KeyRow> first(io.vertx.mutiny.sqlclient.RowSet<Row> rows) {
        return rows.size() == 0 ? Optional.empty() : Optional.of(row(rows.iterator().next()));
    }

    private static KeyRow row(Row row) {
        return new KeyRow(row.getString("name"), row.getString("role"), row.getOffsetDateTime("created_at").toInstant(),
                row.getString("created_by"));
    }
}
