package org.mailgateway.queue.delivery;

import io.vertx.core.Future;
import java.util.List;
import java.util.Locale;

/**
 * An established SMTP connection to one next hop: greeted, EHLO (or HELO) done, ready for transactions one
 * after another. Knows what the server announced.
 */
final class SmtpSession {

    final Destination destination;
    final SmtpClientConnection connection;
    private final boolean extended;
    private final List<String> extensions;
    /** Transactions completed on this connection. */
    int transactions;

    private SmtpSession(Destination destination, SmtpClientConnection connection, boolean extended, List<String> extensions) {
        this.destination = destination;
        this.connection = connection;
        this.extended = extended;
        this.extensions = extensions;
    }

    /**
     * Connects, reads the greeting, says EHLO (HELO if EHLO is refused). Fails with {@link SmtpRefusalException}
     * when the server refuses us at the greeting or at HELO: that reply is every recipient's outcome.
     */
    static Future<SmtpSession> open(SmtpClientConnection.Factory factory, Destination destination, String heloName) {
        return factory.connect(destination).compose(connection -> connection.read().compose(greeting -> {
            if (!greeting.isPositive()) {
                connection.close();
                return Future.failedFuture(new SmtpRefusalException(greeting));
            }
            return connection.command("EHLO " + heloName).compose(ehlo -> {
                if (ehlo.isPositive()) {
                    List<String> extensions = ehlo.lines().subList(1, ehlo.lines().size()).stream()
                            .map(line -> line.toUpperCase(Locale.ROOT)).toList();
                    return Future.succeededFuture(new SmtpSession(destination, connection, true, extensions));
                }
                return connection.command("HELO " + heloName).compose(helo -> {
                    if (!helo.isPositive()) {
                        connection.close();
                        return Future.failedFuture(new SmtpRefusalException(helo));
                    }
                    return Future.succeededFuture(new SmtpSession(destination, connection, false, List.of()));
                });
            });
        }).onFailure(e -> connection.close()));
    }

    boolean supports(String extension) {
        return extended && extensions.stream().anyMatch(line -> line.equals(extension) || line.startsWith(extension + " "));
    }

    boolean usable() {
        return connection.usable();
    }
}
