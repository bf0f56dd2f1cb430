package org.mailgateway.admin.store;

import static org.mailgateway.admin.store.BlockHistoryStore.utc;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Optional;

/** The console's sessions (admin.console_session, migration V4__console_session.sql). SQL and row mapping only. */
@ApplicationScoped
public class ConsoleSessionStore {

    private static final String INSERT = """
            INSERT INTO admin.console_session (id_hash, key_name, csrf_token, expires_at) VALUES ($1, $2, $3, $4)""";

    private static final String FIND = """
            SELECT key_name, csrf_token FROM admin.console_session WHERE id_hash = $1 AND expires_at > now()""";

    private static final String DELETE = "DELETE FROM admin.console_session WHERE id_hash = $1";

    private static final String EXPIRE = "DELETE FROM admin.console_session WHERE expires_at <= now()";

    private static final String SET_NOTICE = "UPDATE admin.console_session SET notice = $2 WHERE id_hash = $1";

    /** The notice as it was, cleared in the same statement (shown once). */
    private static final String TAKE_NOTICE = """
            UPDATE admin.console_session s SET notice = NULL
              FROM (SELECT id_hash, notice FROM admin.console_session WHERE id_hash = $1 FOR UPDATE) old
             WHERE s.id_hash = old.id_hash AND old.notice IS NOT NULL
            RETURNING old.notice""";

    private final Pool pool;

    public ConsoleSessionStore(Pool pool) {
        this.pool = pool;
    }

    /** A live session: which key logged in, and its forms' token. */
    public record SessionRow(String keyName, String csrfToken) {
    }

    /** Stores a new session and drops the expired ones. */
    public Uni<Void> insert(String idHash, String keyName, String csrfToken, Instant expiresAt) {
        return pool.query(EXPIRE).execute()
                .chain(() -> pool.preparedQuery(INSERT).execute(Tuple.of(idHash, keyName, csrfToken, utc(expiresAt))))
                .replaceWithVoid();
    }

    public Uni<Optional<SessionRow>> find(String idHash) {
        return pool.preparedQuery(FIND).execute(Tuple.of(idHash)).map(rows -> rows.size() == 0 ? Optional.empty()
                : Optional.of(new SessionRow(rows.iterator().next().getString("key_name"), rows.iterator().next().getString("csrf_token"))));
    }

    public Uni<Void> delete(String idHash) {
        return pool.preparedQuery(DELETE).execute(Tuple.of(idHash)).replaceWithVoid();
    }

    public Uni<Void> setNotice(String idHash, String notice) {
        return pool.preparedQuery(SET_NOTICE).execute(Tuple.of(idHash, notice)).replaceWithVoid();
    }

    /** The notice, once; null when there is none. */
    public Uni<String> takeNotice(String idHash) {
        return pool.preparedQuery(TAKE_NOTICE).execute(Tuple.of(idHash))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString("notice"));
    }
}
