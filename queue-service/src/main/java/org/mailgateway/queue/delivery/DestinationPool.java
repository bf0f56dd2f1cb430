package org.mailgateway.queue.delivery;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The SMTP connections to one next hop: at most {@code limit} at once (a slow or stalled downstream holds
 * only its own slots, never another destination's), reused for transaction after transaction, closed after
 * being idle for a while. Callers beyond the limit wait in order. Used only from the delivery client's event loop.
 */
final class DestinationPool {

    /** A session lent out, and whether it came from the idle list (a reused connection may have gone stale). */
    record Lease(SmtpSession session, boolean reused) {
    }

    private final Vertx vertx;
    private final Destination destination;
    private final SmtpClientConnection.Factory factory;
    private final String heloName;
    private final int limit;
    private final long idleMillis;
    private final int maxTransactions;
    private final SmtpSession.Tls tls;
    private final Deque<SmtpSession> idle = new ArrayDeque<>();
    private final Map<SmtpSession, Long> idleTimers = new IdentityHashMap<>();
    private final Deque<Promise<Lease>> waiting = new ArrayDeque<>();
    private int open;

    DestinationPool(Vertx vertx, Destination destination, SmtpClientConnection.Factory factory, String heloName, int limit,
            long idleMillis, int maxTransactions, SmtpSession.Tls tls) {
        this.vertx = vertx;
        this.destination = destination;
        this.factory = factory;
        this.heloName = heloName;
        this.limit = limit;
        this.idleMillis = idleMillis;
        this.maxTransactions = maxTransactions;
        this.tls = tls;
    }

    synchronized Future<Lease> acquire() {
        while (!idle.isEmpty()) {
            SmtpSession session = idle.pollLast();
            Long timer = idleTimers.remove(session);
            if (timer != null) {
                vertx.cancelTimer(timer);
            }
            if (session.usable()) {
                return Future.succeededFuture(new Lease(session, true));
            }
            open--;
            session.connection.close();
        }
        if (open < limit) {
            open++;
            return openNew();
        }
        Promise<Lease> promise = Promise.promise();
        waiting.add(promise);
        return promise.future();
    }

    /** A fresh connection, taking the slot of a lease whose reused connection turned out stale. */
    synchronized Future<Lease> replace(Lease stale) {
        stale.session().connection.close();
        return openNew();
    }

    private Future<Lease> openNew() {
        return SmtpSession.open(factory, destination, heloName, tls).map(session -> new Lease(session, false))
                .onFailure(e -> slotFreed());
    }

    /** Gives a session back: kept for the next transaction if it is still good, closed otherwise. */
    synchronized void release(SmtpSession session, boolean reusable) {
        if (reusable && session.usable() && session.transactions < maxTransactions) {
            Promise<Lease> next = waiting.poll();
            if (next != null) {
                next.complete(new Lease(session, true));
                return;
            }
            idle.add(session);
            idleTimers.put(session, vertx.setTimer(idleMillis, id -> expire(session)));
            return;
        }
        session.connection.quit();
        slotFreed();
    }

    private synchronized void expire(SmtpSession session) {
        if (idleTimers.remove(session) != null && idle.remove(session)) {
            session.connection.quit();
            slotFreed();
        }
    }

    private synchronized void slotFreed() {
        open--;
        Promise<Lease> next = waiting.poll();
        if (next != null) {
            open++;
            openNew().onComplete(next);
        }
    }

    synchronized int openConnections() {
        return open;
    }
}
