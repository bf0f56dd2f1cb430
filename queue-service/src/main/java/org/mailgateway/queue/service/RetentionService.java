package org.mailgateway.queue.service;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import org.mailgateway.queue.config.DeliveryConfig;
import org.mailgateway.queue.store.MailStore;

/**
 * Deletes what the store no longer needs to keep, every {@code retention.interval}: quarantined mail after
 * {@code retention.quarantine}, finished mail after {@code retention.finished}. Pending mail is never deleted. The
 * same sweep then expires pending mail older than the queue lifetime whose bytes never reached the store
 * ({@link DeliveryService#expireNeverStored}); deleting first keeps what it expires at least until the next sweep.
 * Several instances may sweep at once; a delete or an expiry is the same whoever runs it.
 */
@ApplicationScoped
public class RetentionService {

    private static final Logger LOG = Logger.getLogger(RetentionService.class);

    private final Vertx vertx;
    private final MailStore store;
    private final DeliveryService delivery;
    private final DeliveryConfig.Retention retention;
    private long timer = -1;

    public RetentionService(Vertx vertx, MailStore store, DeliveryService delivery, DeliveryConfig config) {
        this.vertx = vertx;
        this.store = store;
        this.delivery = delivery;
        this.retention = config.retention();
    }

    void start(@Observes StartupEvent event) {
        timer = vertx.setPeriodic(retention.interval().toMillis(), id -> sweep().subscribe().with(
                deleted -> { },
                error -> LOG.warnf("retention sweep failed (next one in %s): %s", retention.interval(), error.toString())));
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    /** One sweep now; the number of messages deleted. */
    public Uni<Integer> sweep() {
        return store.expire(retention.quarantine(), retention.finished()).invoke(deleted -> {
            if (deleted > 0) {
                LOG.infof("retention: deleted %d messages (quarantine older than %s, finished older than %s)", deleted,
                        retention.quarantine(), retention.finished());
            }
        }).call(deleted -> delivery.expireNeverStored());
    }
}
