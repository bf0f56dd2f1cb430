package org.mailgateway.queue.delivery;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.mailgateway.queue.delivery.RecipientResult.Outcome;
import org.mailgateway.smtp.codec.DotStuffer;
import org.mailgateway.smtp.codec.SmtpReply;

/**
 * Delivers one message to one next hop over SMTP and says, per recipient, what happened. The message bytes
 * leave exactly as stored (dot-stuffing is undone by the receiver), so signatures over them stay valid.
 *
 * <p>Outcomes: 2xx after DATA delivers; 4xx, a refused or dropped connection and timeouts defer; 5xx fails.
 * An 8-bit message is never sent to a server that does not announce 8BITMIME (RFC 6152): it fails.
 */
public final class SmtpDeliveryClient {

    private final Vertx vertx;
    private final NetClient client;
    private final String heloName;
    private final Duration replyTimeout;

    public SmtpDeliveryClient(Vertx vertx, String heloName, Duration connectTimeout, Duration replyTimeout) {
        this.vertx = vertx;
        this.client = vertx.createNetClient(new NetClientOptions()
                .setConnectTimeout((int) connectTimeout.toMillis())
                .setTcpNoDelay(true));
        this.heloName = heloName;
        this.replyTimeout = replyTimeout;
    }

    public Future<List<RecipientResult>> deliver(Destination destination, String mailFrom, List<String> recipients, Buffer content) {
        Conversation conversation = new Conversation(mailFrom, recipients, content);
        return SmtpClientConnection.connect(vertx, client, destination, replyTimeout)
                .compose(connection -> conversation.run(connection)
                        .onComplete(done -> connection.quit()))
                .otherwise(error -> conversation.deferUndecided(describe(destination, error)))
                .map(v -> conversation.results());
    }

    private static String describe(Destination destination, Throwable error) {
        String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
        return "delivery to " + destination + " failed: " + message;
    }

    /** One SMTP transaction, step by step; remembers what became of each recipient so far. */
    private final class Conversation {

        private final String mailFrom;
        private final List<String> recipients;
        private final Buffer content;
        private final Map<String, RecipientResult> results = new LinkedHashMap<>();
        private final List<String> acceptedByServer = new ArrayList<>();
        private boolean extended;
        private List<String> extensions = List.of();

        Conversation(String mailFrom, List<String> recipients, Buffer content) {
            this.mailFrom = mailFrom;
            this.recipients = recipients;
            this.content = content;
        }

        Future<Void> run(SmtpClientConnection connection) {
            return connection.read()
                    .compose(greeting -> greeting.isPositive() ? hello(connection) : stop(greeting, recipients))
                    .compose(v -> results.isEmpty() ? mail(connection) : Future.succeededFuture())
                    .compose(v -> results.isEmpty() ? rcpt(connection, 0) : Future.succeededFuture())
                    .compose(v -> acceptedByServer.isEmpty() ? Future.succeededFuture() : data(connection));
        }

        private Future<Void> hello(SmtpClientConnection connection) {
            return connection.command("EHLO " + heloName).compose(ehlo -> {
                if (ehlo.isPositive()) {
                    extended = true;
                    extensions = ehlo.lines().subList(1, ehlo.lines().size()).stream()
                            .map(line -> line.toUpperCase(Locale.ROOT)).toList();
                    return Future.succeededFuture();
                }
                return connection.command("HELO " + heloName)
                        .compose(helo -> helo.isPositive() ? Future.<Void>succeededFuture() : stop(helo, recipients));
            });
        }

        private Future<Void> mail(SmtpClientConnection connection) {
            StringBuilder command = new StringBuilder("MAIL FROM:<").append(mailFrom).append('>');
            if (hasEightBitBytes(content)) {
                if (!supports("8BITMIME")) {
                    return stop(SmtpReply.of(554, "5.6.3", "8-bit message and the server does not announce 8BITMIME"),
                            recipients);
                }
                command.append(" BODY=8BITMIME");
            }
            if (supports("SIZE")) {
                command.append(" SIZE=").append(content.length());
            }
            return connection.command(command.toString())
                    .compose(reply -> reply.isPositive() ? Future.<Void>succeededFuture() : stop(reply, recipients));
        }

        private Future<Void> rcpt(SmtpClientConnection connection, int index) {
            if (index == recipients.size()) {
                return Future.succeededFuture();
            }
            String recipient = recipients.get(index);
            return connection.command("RCPT TO:<" + recipient + ">").compose(reply -> {
                if (reply.isPositive()) {
                    acceptedByServer.add(recipient);
                } else {
                    decide(recipient, reply);
                }
                return rcpt(connection, index + 1);
            });
        }

        private Future<Void> data(SmtpClientConnection connection) {
            return connection.command("DATA").compose(reply -> {
                if (reply.code() != 354) {
                    return stop(reply, acceptedByServer);
                }
                return connection.content(DotStuffer.encode(content)).compose(end -> {
                    for (String recipient : acceptedByServer) {
                        decide(recipient, end);
                    }
                    return Future.succeededFuture();
                });
            });
        }

        private boolean supports(String extension) {
            return extended && extensions.stream().anyMatch(line -> line.equals(extension) || line.startsWith(extension + " "));
        }

        /** Every listed recipient gets this reply as its outcome; the conversation goes no further. */
        private Future<Void> stop(SmtpReply reply, List<String> affected) {
            for (String recipient : affected) {
                decide(recipient, reply);
            }
            return Future.succeededFuture();
        }

        private void decide(String recipient, SmtpReply reply) {
            Outcome outcome = reply.isPositive() ? Outcome.DELIVERED : reply.isTransient() ? Outcome.DEFERRED : Outcome.FAILED;
            results.putIfAbsent(recipient, new RecipientResult(recipient, outcome, reply.toString()));
        }

        Void deferUndecided(String why) {
            for (String recipient : recipients) {
                results.putIfAbsent(recipient, new RecipientResult(recipient, Outcome.DEFERRED, why));
            }
            return null;
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

    static boolean hasEightBitBytes(Buffer content) {
        for (int i = 0; i < content.length(); i++) {
            if (content.getByte(i) < 0) {
                return true;
            }
        }
        return false;
    }
}
