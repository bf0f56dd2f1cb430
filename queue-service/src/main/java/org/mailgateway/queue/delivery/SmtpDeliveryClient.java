package org.mailgateway.queue.delivery;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClientOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.mailgateway.queue.delivery.RecipientResult.Outcome;
import org.mailgateway.smtp.codec.ByteView;
import org.mailgateway.smtp.codec.DotStuffer;
import org.mailgateway.smtp.codec.SmtpReply;

/**
 * Delivers one message to one next hop over SMTP and says, per recipient, what happened. The message bytes
 * leave exactly as stored (dot-stuffing is undone by the receiver), so signatures over them stay valid.
 *
 * <p>Connections are pooled per next hop ({@link DestinationPool}: a concurrency limit per destination, reuse,
 * idle close). When the server announces PIPELINING, MAIL, every RCPT and DATA go in one write (RFC 2920).
 * Outcomes: 2xx after DATA delivers; 4xx, a refused or dropped connection and timeouts defer; 5xx fails. An
 * 8-bit message is never sent to a server that does not announce 8BITMIME (RFC 6152), nor a non-ASCII address to
 * one that does not announce SMTPUTF8 (RFC 6531): they fail, nothing is downgraded.
 */
public final class SmtpDeliveryClient {

    /**
     * How the client uses connections.
     *
     * @param starttls      use STARTTLS when a next hop offers it
     * @param tlsRequiredFor next hops that get mail only over TLS (otherwise it is deferred)
     */
    public record PoolSettings(int connectionsPerDestination, Duration idleTimeout, int transactionsPerConnection,
            boolean starttls, java.util.Set<Destination> tlsRequiredFor) {
    }

    private final Vertx vertx;
    /** Every connection, pool and timer of this client lives on this one event loop: no locks, no races. */
    private final Context context;
    private final SmtpClientConnection.Factory factory;
    private final String heloName;
    private final PoolSettings poolSettings;
    private final Map<Destination, DestinationPool> pools = new ConcurrentHashMap<>();

    public SmtpDeliveryClient(Vertx vertx, String heloName, Duration connectTimeout, Duration replyTimeout,
            PoolSettings poolSettings) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.factory = SmtpClientConnection.factory(vertx, vertx.createNetClient(new NetClientOptions()
                .setConnectTimeout((int) connectTimeout.toMillis())
                .setTcpNoDelay(true)
                .setSsl(false) // plain until STARTTLS upgrades the connection
                .setTrustAll(true)
                .setHostnameVerificationAlgorithm("")), replyTimeout);
        this.heloName = heloName;
        this.poolSettings = poolSettings;
    }

    /** May be called from any thread; the work happens on the client's event loop. */
    public Future<List<RecipientResult>> deliver(Destination destination, String mailFrom, List<String> recipients, Buffer content) {
        return deliver(List.of(destination), mailFrom, recipients, content);
    }

    /**
     * Delivers to the first of {@code hosts} (in order) with which a session can be opened: a host that cannot be
     * reached, greets with an error, refuses EHLO/HELO or lacks a required TLS is skipped for the next one. Once a
     * session is open, its replies decide (a 4xx to MAIL, RCPT or DATA defers; it is not tried elsewhere).
     */
    public Future<List<RecipientResult>> deliver(List<Destination> hosts, String mailFrom, List<String> recipients,
            Buffer content) {
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("no host to deliver to");
        }
        Promise<List<RecipientResult>> result = Promise.promise();
        context.runOnContext(v -> deliverOnContext(hosts, 0, new ArrayList<>(), mailFrom, recipients, content)
                .onComplete(result));
        return result.future();
    }

    private Future<List<RecipientResult>> deliverOnContext(List<Destination> hosts, int index, List<String> skipped,
            String mailFrom, List<String> recipients, Buffer content) {
        Destination destination = hosts.get(index);
        DestinationPool pool = pools.computeIfAbsent(destination, d -> new DestinationPool(vertx, d, factory, heloName,
                poolSettings.connectionsPerDestination(), poolSettings.idleTimeout().toMillis(),
                poolSettings.transactionsPerConnection(), tlsFor(d)));
        Transaction transaction = new Transaction(mailFrom, recipients, content);
        return pool.acquire().transform(acquired -> {
            if (acquired.succeeded()) {
                return runOn(pool, acquired.result(), transaction).otherwise(error -> {
                    transaction.deferUndecided(describe(destination, error));
                    return null;
                }).map(v -> transaction.results());
            }
            Throwable error = acquired.cause();
            skipped.add(error instanceof SmtpRefusalException refusal ? destination + " said " + refusal.reply
                    : describe(destination, error));
            if (index + 1 < hosts.size()) {
                return deliverOnContext(hosts, index + 1, skipped, mailFrom, recipients, content);
            }
            if (error instanceof SmtpRefusalException refusal && hosts.size() == 1) {
                transaction.stop(refusal.reply, recipients);
            } else {
                // every host failed before a transaction could start: try again later
                transaction.deferUndecided(String.join("; ", skipped));
            }
            return Future.succeededFuture(transaction.results());
        });
    }

    private SmtpSession.Tls tlsFor(Destination destination) {
        if (poolSettings.tlsRequiredFor().contains(destination)) {
            return SmtpSession.Tls.REQUIRED;
        }
        return poolSettings.starttls() ? SmtpSession.Tls.OPPORTUNISTIC : SmtpSession.Tls.NONE;
    }

    /** Open connections to one next hop (for tests and metrics). */
    public int openConnections(Destination destination) {
        DestinationPool pool = pools.get(destination);
        return pool == null ? 0 : pool.openConnections();
    }

    private Future<Void> runOn(DestinationPool pool, DestinationPool.Lease lease, Transaction transaction) {
        SmtpSession session = lease.session();
        return transaction.run(session).transform(done -> {
            if (done.succeeded()) {
                session.transactions++;
                pool.release(session, true);
                return Future.succeededFuture();
            }
            if (lease.reused() && !transaction.heardAnything()) {
                // the idle connection had gone stale (the server closed it): once more on a fresh one, same slot
                transaction.reset();
                return pool.replace(lease).compose(fresh -> runOn(pool, fresh, transaction));
            }
            pool.release(session, false);
            return Future.failedFuture(done.cause());
        });
    }

    private static String describe(Destination destination, Throwable error) {
        String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
        return "delivery to " + destination + " failed: " + message;
    }

    /** One SMTP transaction; remembers what became of each recipient so far. */
    private static final class Transaction {

        private final String mailFrom;
        private final List<String> recipients;
        private final Buffer content;
        private final Map<String, RecipientResult> results = new LinkedHashMap<>();
        private final List<String> acceptedByServer = new ArrayList<>();
        private boolean heardAnything;

        Transaction(String mailFrom, List<String> recipients, Buffer content) {
            this.mailFrom = mailFrom;
            this.recipients = recipients;
            this.content = content;
        }

        Future<Void> run(SmtpSession session) {
            String mail = mailCommand(session);
            if (mail == null) {
                return Future.succeededFuture();
            }
            List<String> rcpts = recipients.stream().map(r -> "RCPT TO:<" + r + ">").toList();
            Future<Void> envelope;
            if (session.supports("PIPELINING")) {
                List<String> group = new ArrayList<>();
                group.add(mail);
                group.addAll(rcpts);
                group.add("DATA");
                envelope = session.connection.pipeline(group).compose(replies -> {
                    heardAnything = true;
                    mailAndRcptReplies(replies.get(0), replies.subList(1, replies.size() - 1));
                    return afterDataCommand(session, replies.get(replies.size() - 1));
                });
            } else {
                envelope = session.connection.command(mail).compose(mailReply -> {
                    heardAnything = true;
                    if (!mailReply.isPositive()) {
                        stop(mailReply, recipients);
                        return reset(session);
                    }
                    return rcptOneByOne(session, rcpts, 0).compose(v -> acceptedByServer.isEmpty() ? reset(session)
                            : session.connection.command("DATA").compose(data -> afterDataCommand(session, data)));
                });
            }
            return envelope;
        }

        private String mailCommand(SmtpSession session) {
            StringBuilder command = new StringBuilder("MAIL FROM:<").append(mailFrom).append('>');
            if (ByteView.of(content).hasEightBitBytes()) {
                if (!session.supports("8BITMIME")) {
                    stop(SmtpReply.of(554, "5.6.3", "8-bit message and the server does not announce 8BITMIME"), recipients);
                    return null;
                }
                command.append(" BODY=8BITMIME");
            }
            if (session.supports("SIZE")) {
                command.append(" SIZE=").append(content.length());
            }
            if (needsSmtpUtf8()) {
                if (!session.supports("SMTPUTF8")) {
                    stop(SmtpReply.of(553, "5.6.7", "non-ASCII address and the server does not announce SMTPUTF8"), recipients);
                    return null;
                }
                command.append(" SMTPUTF8");
            }
            return command.toString();
        }

        /** RFC 6531: an address outside ASCII can travel only to a server that announces SMTPUTF8. */
        private boolean needsSmtpUtf8() {
            return !isAscii(mailFrom) || recipients.stream().anyMatch(r -> !isAscii(r));
        }

        private static boolean isAscii(String text) {
            return text.chars().allMatch(c -> c < 0x80);
        }

        private void mailAndRcptReplies(SmtpReply mail, List<SmtpReply> rcptReplies) {
            if (!mail.isPositive()) {
                stop(mail, recipients);
                return;
            }
            for (int i = 0; i < recipients.size(); i++) {
                if (rcptReplies.get(i).isPositive()) {
                    acceptedByServer.add(recipients.get(i));
                } else {
                    decide(recipients.get(i), rcptReplies.get(i));
                }
            }
        }

        private Future<Void> rcptOneByOne(SmtpSession session, List<String> rcpts, int index) {
            if (index == rcpts.size()) {
                return Future.succeededFuture();
            }
            return session.connection.command(rcpts.get(index)).compose(reply -> {
                if (reply.isPositive()) {
                    acceptedByServer.add(recipients.get(index));
                } else {
                    decide(recipients.get(index), reply);
                }
                return rcptOneByOne(session, rcpts, index + 1);
            });
        }

        /** After the reply to DATA: send the content if invited, or end the transaction. */
        private Future<Void> afterDataCommand(SmtpSession session, SmtpReply data) {
            if (data.code() != 354) {
                stop(data, acceptedByServer);
                return reset(session);
            }
            if (acceptedByServer.isEmpty()) {
                // a server that invites DATA with no recipient (RFC 2920 says it must not): end it empty
                return session.connection.content(Buffer.buffer(".\r\n")).mapEmpty();
            }
            return session.connection.content(DotStuffer.encode(content)).map(end -> {
                for (String recipient : acceptedByServer) {
                    decide(recipient, end);
                }
                return null;
            });
        }

        /** RSET so that the connection can carry the next transaction; a refused RSET makes it unusable. */
        private Future<Void> reset(SmtpSession session) {
            return session.connection.command("RSET").compose(reply -> reply.isPositive() ? Future.<Void>succeededFuture()
                    : Future.failedFuture(new IllegalStateException("RSET refused: " + reply)));
        }

        /** Every listed recipient gets this reply as its outcome. */
        void stop(SmtpReply reply, List<String> affected) {
            for (String recipient : affected) {
                decide(recipient, reply);
            }
        }

        private void decide(String recipient, SmtpReply reply) {
            Outcome outcome = reply.isPositive() ? Outcome.DELIVERED : reply.isTransient() ? Outcome.DEFERRED : Outcome.FAILED;
            results.putIfAbsent(recipient, new RecipientResult(recipient, outcome, reply.toString()));
        }

        boolean heardAnything() {
            return heardAnything;
        }

        void reset() {
            results.clear();
            acceptedByServer.clear();
        }

        void deferUndecided(String why) {
            for (String recipient : recipients) {
                results.putIfAbsent(recipient, new RecipientResult(recipient, Outcome.DEFERRED, why));
            }
        }

        List<RecipientResult> results() {
            deferUndecided("no reply from the server");
            List<RecipientResult> ordered = new ArrayList<>();
            for (String recipient : recipients) {
                ordered.add(results.get(recipient));
            }
            return ordered;
        }
    }
}
