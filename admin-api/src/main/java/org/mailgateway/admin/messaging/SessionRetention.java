package org.mailgateway.admin.messaging;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import org.jboss.logging.Logger;
import org.mailgateway.admin.config.AdminConfig;
import org.mailgateway.admin.store.SessionActivityStore;

/**
 * Keeps the per-client counters of smtp.sessions bounded: every {@code admin.sessions.retention-interval} deletes
 * the hours and HELO names older than {@code admin.sessions.retention}. Several instances may sweep at once.
 */
@ApplicationScoped
public class SessionRetention {

    private static final Logger LOG = Logger.getLogger(SessionRetention.class);

    private final Vertx vertx;
    private final SessionActivityStore store;
    private final AdminConfig.Sessions config;
    private long timer = -1;

    public SessionRetention(Vertx vertx, SessionActivityStore store, AdminConfig config) {
        this.vertx = vertx;
        this.store = store;
        this.config = config.admin().sessions();
    }

    void start(@Observes StartupEvent event) {
        timer = vertx.setPeriodic(config.retentionInterval().toMillis(), id -> sweep().subscribe().with(
                deleted -> { },
                error -> LOG.warnf("client counter retention failed (next in %s): %s", config.retentionInterval(), error.toString())));
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    /** One sweep now; the number of rows deleted. */
    public Uni<Long> sweep() {
        return store.expire(Instant.now().minus(config.retention())).invoke(deleted -> {
            if (deleted > 0) {
                LOG.infof("retention: deleted %d client counter rows older than %s", deleted, config.retention());
            }
        });
    }
}
