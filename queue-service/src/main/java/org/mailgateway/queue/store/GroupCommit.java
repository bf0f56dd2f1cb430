package org.mailgateway.queue.store;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.mailgateway.queue.config.DeliveryConfig;

/**
 * Group commit for judged messages: one store transaction runs at a time, and the messages that arrive meanwhile
 * go together into the next one (at most {@code gateway.delivery.store-batch} of them). Under load that is one
 * commit, and one WAL flush, for many messages; alone, a message is stored at once. When a transaction of several
 * messages is refused for good (a data or constraint error), each of them is stored alone, so that only the one
 * at fault fails.
 */
@ApplicationScoped
public class GroupCommit {

    private record Pending(NewMessage message, CompletableFuture<Boolean> stored) {
    }

    private final MailStore store;
    private final int maxBatch;
    private final List<Pending> waiting = new ArrayList<>();
    private boolean running;

    public GroupCommit(MailStore store, DeliveryConfig config) {
        this.store = store;
        this.maxBatch = config.storeBatch();
    }

    /**
     * Stores the message in the next transaction.
     *
     * @return true when it is new; false when a message with this id was stored before
     */
    public Uni<Boolean> store(NewMessage message) {
        return Uni.createFrom().deferred(() -> {
            Pending pending = new Pending(message, new CompletableFuture<>());
            List<Pending> batch;
            synchronized (this) {
                waiting.add(pending);
                if (running) {
                    return Uni.createFrom().completionStage(pending.stored());
                }
                running = true;
                batch = take();
            }
            run(batch);
            return Uni.createFrom().completionStage(pending.stored());
        });
    }

    /** Under the lock: the next batch, oldest first. */
    private List<Pending> take() {
        int n = Math.min(maxBatch, waiting.size());
        List<Pending> batch = new ArrayList<>(waiting.subList(0, n));
        waiting.subList(0, n).clear();
        return batch;
    }

    private void run(List<Pending> batch) {
        store.storeAll(batch.stream().map(Pending::message).toList()).subscribe().with(isNew -> {
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).stored().complete(isNew.get(i));
            }
            next();
        }, failure -> {
            if (batch.size() > 1 && !MailStore.mayPass(failure)) {
                storeEachAlone(batch);
            } else {
                batch.forEach(p -> p.stored().completeExceptionally(failure));
                next();
            }
        });
    }

    private void storeEachAlone(List<Pending> batch) {
        Uni.join().all(batch.stream().map(p -> store.storeAll(List.of(p.message()))
                        .invoke(isNew -> p.stored().complete(isNew.get(0)))
                        .onFailure().invoke(e -> p.stored().completeExceptionally(e))
                        .onFailure().recoverWithNull())
                        .toList())
                .andCollectFailures()
                .subscribe().with(done -> next(), e -> next());
    }

    private void next() {
        List<Pending> batch;
        synchronized (this) {
            if (waiting.isEmpty()) {
                running = false;
                return;
            }
            batch = take();
        }
        run(batch);
    }
}
