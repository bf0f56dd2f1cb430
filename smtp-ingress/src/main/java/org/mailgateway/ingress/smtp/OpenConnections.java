package org.mailgateway.ingress.smtp;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The connections open right now, so that shutdown can ask each to finish and wait until all have. */
final class OpenConnections {

    private final Set<SmtpConnection> connections = ConcurrentHashMap.newKeySet();
    private volatile boolean draining;

    void add(SmtpConnection connection) {
        connections.add(connection);
    }

    void remove(SmtpConnection connection) {
        connections.remove(connection);
    }

    /** From now on new connections get 421 and open ones end after their transaction in flight. */
    void drain() {
        draining = true;
        for (SmtpConnection connection : connections) {
            connection.drain();
        }
    }

    boolean draining() {
        return draining;
    }

    int size() {
        return connections.size();
    }

    void closeAll() {
        for (SmtpConnection connection : connections) {
            connection.forceClose();
        }
    }
}
