package org.mailgateway.queue.delivery;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.mailgateway.smtp.codec.ReplyParser;
import org.mailgateway.smtp.codec.SmtpProtocolException;
import org.mailgateway.smtp.codec.SmtpReply;

/**
 * The client end of one SMTP connection: write a command, get a future of the reply. Every wait is bounded by
 * the reply timeout; a closed connection or a broken reply fails the pending future.
 */
final class SmtpClientConnection {

    private final Vertx vertx;
    private final NetSocket socket;
    private final long replyTimeoutMillis;
    private final ReplyParser parser = new ReplyParser();
    private final Deque<SmtpReply> replies = new ArrayDeque<>();
    private Promise<SmtpReply> waiting;
    private long timer = -1;
    private Throwable broken;

    private SmtpClientConnection(Vertx vertx, NetSocket socket, Duration replyTimeout) {
        this.vertx = vertx;
        this.socket = socket;
        this.replyTimeoutMillis = replyTimeout.toMillis();
        socket.handler(this::onBytes);
        socket.closeHandler(v -> fail(new IllegalStateException("connection closed by the server")));
        socket.exceptionHandler(this::fail);
    }

    /** Opens connections to next hops (a seam for tests). */
    interface Factory {
        Future<SmtpClientConnection> connect(Destination destination);
    }

    static Factory factory(Vertx vertx, NetClient client, Duration replyTimeout) {
        return destination -> client.connect(destination.port(), destination.host())
                .map(socket -> new SmtpClientConnection(vertx, socket, replyTimeout));
    }

    /** Whether the connection is still open and has seen no error. */
    boolean usable() {
        return broken == null;
    }

    /**
     * Writes several commands at once (RFC 2920 PIPELINING) and returns their replies in order. A failure
     * (timeout, closed connection) fails the whole group.
     */
    Future<List<SmtpReply>> pipeline(List<String> lines) {
        StringBuilder out = new StringBuilder();
        for (String line : lines) {
            out.append(line).append("\r\n");
        }
        socket.write(Buffer.buffer(out.toString().getBytes(StandardCharsets.UTF_8)));
        List<SmtpReply> collected = new ArrayList<>(lines.size());
        Future<Void> chain = Future.succeededFuture();
        for (int i = 0; i < lines.size(); i++) {
            chain = chain.compose(v -> read().map(reply -> {
                collected.add(reply);
                return null;
            }));
        }
        return chain.map(v -> collected);
    }

    /** The next reply from the server. */
    Future<SmtpReply> read() {
        if (!replies.isEmpty()) {
            return Future.succeededFuture(replies.poll());
        }
        if (broken != null) {
            return Future.failedFuture(broken);
        }
        waiting = Promise.promise();
        timer = vertx.setTimer(replyTimeoutMillis,
                id -> fail(new TimeoutException("no reply within " + replyTimeoutMillis / 1000 + " s")));
        return waiting.future();
    }

    Future<SmtpReply> command(String line) {
        socket.write(Buffer.buffer((line + "\r\n").getBytes(StandardCharsets.UTF_8)));
        return read();
    }

    /** Sends the message in its wire form (dot-stuffed, with the final dot) and returns the reply to it. */
    Future<SmtpReply> content(Buffer wireForm) {
        socket.write(wireForm);
        return read();
    }

    /** Says QUIT politely and closes, without waiting long for the answer. */
    void quit() {
        if (broken == null) {
            socket.write("QUIT\r\n");
        }
        vertx.setTimer(1000, id -> socket.close());
    }

    void close() {
        if (broken == null) {
            broken = new IllegalStateException("closed by us");
        }
        socket.close();
    }

    private void onBytes(Buffer bytes) {
        try {
            replies.addAll(parser.feed(bytes));
        } catch (SmtpProtocolException e) {
            fail(e);
            socket.close();
            return;
        }
        if (waiting != null && !replies.isEmpty()) {
            Promise<SmtpReply> promise = waiting;
            waiting = null;
            vertx.cancelTimer(timer);
            promise.complete(replies.poll());
        }
    }

    private void fail(Throwable error) {
        if (broken == null) {
            broken = error;
        }
        if (waiting != null) {
            Promise<SmtpReply> promise = waiting;
            waiting = null;
            vertx.cancelTimer(timer);
            promise.fail(error);
            socket.close();
        }
    }
}
