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
    /** The TLS protocol and cipher, or null in the clear. */
    String tls;

    private SmtpSession(Destination destination, SmtpClientConnection connection, boolean extended, List<String> extensions) {
        this.destination = destination;
        this.connection = connection;
        this.extended = extended;
        this.extensions = extensions;
    }

    /** STARTTLS towards a next hop. */
    enum Tls {
        /** not even when offered (the fallback after a failed handshake) */
        NONE,
        /** when the server offers it (the default) */
        OPPORTUNISTIC,
        /** or no delivery: a temporary failure, so the mail waits in the deferred queue */
        REQUIRED
    }

    /**
     * Connects, reads the greeting, says EHLO (HELO if EHLO is refused), and runs STARTTLS as {@code tls}
     * says. Fails with {@link SmtpRefusalException} when the server refuses us at the greeting or at HELO, or
     * TLS is required and not to be had: that reply is every recipient's outcome.
     */
    static Future<SmtpSession> open(SmtpClientConnection.Factory factory, Destination destination, String heloName, Tls tls) {
        Future<SmtpSession> session = factory.connect(destination).compose(connection -> connection.read().compose(greeting -> {
            if (!greeting.isPositive()) {
                connection.close();
                return Future.<SmtpSession>failedFuture(new SmtpRefusalException(greeting));
            }
            return hello(connection, destination, heloName)
                    .compose(plain -> tls == Tls.NONE ? Future.succeededFuture(plain) : startTls(plain, heloName, tls));
        }).onFailure(e -> connection.close()));
        if (tls == Tls.OPPORTUNISTIC) {
            // a handshake that fails is no reason to keep the mail: once more in the clear, as MTAs do
            return session.recover(e -> e instanceof TlsHandshakeException ? open(factory, destination, heloName, Tls.NONE)
                    : Future.failedFuture(e));
        }
        return session;
    }

    private static Future<SmtpSession> startTls(SmtpSession plain, String heloName, Tls tls) {
        if (!plain.supports("STARTTLS")) {
            return tls == Tls.REQUIRED ? refuseForTls(plain, "TLS is required for " + plain.destination + " but not offered")
                    : Future.succeededFuture(plain);
        }
        SmtpClientConnection connection = plain.connection;
        return connection.command("STARTTLS").compose(reply -> {
            if (reply.code() != 220) {
                return tls == Tls.REQUIRED ? refuseForTls(plain, "STARTTLS refused: " + reply) : Future.succeededFuture(plain);
            }
            return connection.startTls(plain.destination.host())
                    .recover(e -> Future.failedFuture(new TlsHandshakeException(e)))
                    .compose(v -> hello(connection, plain.destination, heloName))
                    .map(secured -> {
                        secured.tls = connection.tlsDescription();
                        return secured;
                    });
        });
    }

    private static Future<SmtpSession> refuseForTls(SmtpSession plain, String why) {
        plain.connection.quit();
        return Future.failedFuture(new SmtpRefusalException(org.mailgateway.smtp.codec.SmtpReply.of(454, "4.7.0", why)));
    }

    /** The TLS handshake failed (the connection is then unusable). */
    static final class TlsHandshakeException extends Exception {
        TlsHandshakeException(Throwable cause) {
            super("TLS handshake failed: " + cause.getMessage(), cause);
        }
    }

    private static Future<SmtpSession> hello(SmtpClientConnection connection, Destination destination, String heloName) {
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
    }

    boolean supports(String extension) {
        return extended && extensions.stream().anyMatch(line -> line.equals(extension) || line.startsWith(extension + " "));
    }

    boolean usable() {
        return connection.usable();
    }
}
