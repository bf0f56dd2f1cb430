package org.mailgateway.ingress.smtp;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;
import org.mailgateway.contracts.Envelope;
import org.mailgateway.contracts.MessageIds;
import org.mailgateway.ingress.messaging.InboundPublisher;
import org.mailgateway.ingress.smtp.address.SmtpPath;
import org.mailgateway.smtp.codec.MessageContentReader;
import org.mailgateway.smtp.codec.SmtpReply;

/**
 * One SMTP session on one socket, confined to one event loop. Bytes are framed into command lines (or, after
 * DATA, fed to a {@link MessageContentReader}); replies to pipelined commands are collected and written
 * together (RFC 2920). While Kafka has not yet acknowledged a message the socket is paused, so a fast client
 * cannot make the server buffer without bound, and the commands it pipelined wait their turn.
 */
final class SmtpConnection {

    private static final Logger LOG = Logger.getLogger(SmtpConnection.class);

    private enum Mode { COMMAND, DATA, WAITING, CLOSED }

    private final NetSocket socket;
    private final Vertx vertx;
    private final SmtpSettings settings;
    private final InboundPublisher publisher;
    private final IngressMetrics metrics;
    private final String ingressName;
    private final InetAddress client;
    private final String clientIp;
    private final boolean trusted;
    private final long connectedAt = System.nanoTime();

    private Mode mode = Mode.COMMAND;
    private Buffer input = Buffer.buffer();
    private int readPos;
    private boolean discardingLongLine;
    private Buffer output = Buffer.buffer();
    private long idleTimer = -1;
    private int errors;
    private int accepted;
    private String endReason = "client closed the connection";

    // session state
    private String heloName;
    private boolean esmtp;

    // transaction state, reset by RSET, HELO/EHLO and the end of DATA
    private SmtpPath reversePath;
    private final List<String> recipients = new ArrayList<>();
    private MessageContentReader content;

    SmtpConnection(NetSocket socket, Vertx vertx, SmtpSettings settings, InboundPublisher publisher, IngressMetrics metrics,
            String ingressName) {
        this.socket = socket;
        this.vertx = vertx;
        this.settings = settings;
        this.publisher = publisher;
        this.metrics = metrics;
        this.ingressName = ingressName;
        this.client = parseAddress(socket.remoteAddress().hostAddress());
        this.clientIp = client.getHostAddress();
        this.trusted = settings.relayPolicy().isTrusted(client);
    }

    void start() {
        metrics.connectionOpened();
        socket.handler(this::onBytes);
        socket.closeHandler(v -> onClosed());
        socket.exceptionHandler(e -> {
            endReason = "I/O error: " + e.getMessage();
            socket.close();
        });
        reply(settings.greeting());
        flush();
        armIdleTimer();
    }

    private void onBytes(Buffer bytes) {
        if (mode == Mode.CLOSED) {
            return;
        }
        armIdleTimer();
        input.appendBuffer(bytes);
        process();
    }

    /** Works through the buffered input until it needs more bytes, is waiting for Kafka, or the session ended. */
    private void process() {
        while (mode == Mode.COMMAND || mode == Mode.DATA) {
            if (mode == Mode.DATA) {
                int end = content.feed(input, readPos);
                if (end < 0) {
                    readPos = input.length();
                    break;
                }
                readPos = end;
                endOfData();
                continue;
            }
            int lf = indexOfLf(input, readPos);
            if (lf < 0) {
                if (input.length() - readPos > settings.maxLineLength()) {
                    discardingLongLine = true;
                    readPos = input.length();
                }
                break;
            }
            int lineEnd = lf > readPos && input.getByte(lf - 1) == '\r' ? lf - 1 : lf;
            boolean tooLong = discardingLongLine || lf + 1 - readPos > settings.maxLineLength();
            String line = tooLong ? null : input.getString(readPos, lineEnd, StandardCharsets.ISO_8859_1.name());
            readPos = lf + 1;
            discardingLongLine = false;
            if (tooLong) {
                refuse(SmtpReply.of(500, "5.5.2", "Error: line too long"));
            } else {
                handle(CommandParser.parse(line));
            }
        }
        compactInput();
        flush();
    }

    private void handle(SmtpCommand command) {
        if (command instanceof SmtpCommand.Helo helo) {
            startSession(helo.domain(), false);
            reply(SmtpReply.of(250, null, settings.hostname()));
        } else if (command instanceof SmtpCommand.Ehlo ehlo) {
            startSession(ehlo.domain(), true);
            reply(settings.ehloReply());
        } else if (command instanceof SmtpCommand.Mail mail) {
            mail(mail);
        } else if (command instanceof SmtpCommand.Rcpt rcpt) {
            rcpt(rcpt);
        } else if (command instanceof SmtpCommand.Data) {
            data();
        } else if (command instanceof SmtpCommand.Rset) {
            resetTransaction();
            reply(SmtpReply.of(250, "2.0.0", "Ok"));
        } else if (command instanceof SmtpCommand.Noop) {
            reply(SmtpReply.of(250, "2.0.0", "Ok"));
        } else if (command instanceof SmtpCommand.Quit) {
            reply(SmtpReply.of(221, "2.0.0", "Bye"));
            endReason = "QUIT";
            close();
        } else if (command instanceof SmtpCommand.Vrfy) {
            reply(SmtpReply.of(252, "2.0.0", "Cannot VRFY user, but will accept message and attempt delivery"));
        } else if (command instanceof SmtpCommand.Help) {
            reply(SmtpReply.of(214, "2.0.0", "Commands: HELO EHLO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP"));
        } else if (command instanceof SmtpCommand.NotImplemented) {
            refuse(SmtpReply.of(502, "5.5.1", "Error: command not implemented"));
        } else if (command instanceof SmtpCommand.Invalid invalid) {
            refuse(invalid.reply());
        } else {
            refuse(SmtpReply.of(500, "5.5.2", "Error: command not recognized"));
        }
    }

    private void startSession(String helo, boolean extended) {
        heloName = helo;
        esmtp = extended;
        resetTransaction();
    }

    private void mail(SmtpCommand.Mail mail) {
        if (heloName == null) {
            refuse(SmtpReply.of(503, "5.5.1", "Error: send HELO/EHLO first"));
            return;
        }
        if (reversePath != null) {
            refuse(SmtpReply.of(503, "5.5.1", "Error: nested MAIL command"));
            return;
        }
        for (Map.Entry<String, String> param : mail.parameters().entrySet()) {
            String key = param.getKey();
            String value = param.getValue();
            if (!esmtp) {
                refuse(SmtpReply.of(555, "5.5.4", "Error: parameters need EHLO"));
                return;
            }
            if (key.equals("SIZE") && value != null && value.matches("\\d{1,18}")) {
                if (Long.parseLong(value) > settings.maxMessageSize()) {
                    refuse(SmtpReply.of(552, "5.3.4", "Error: message size exceeds fixed limit"));
                    return;
                }
            } else if (!(key.equals("BODY") && value != null && (value.equalsIgnoreCase("7BIT")
                    || value.equalsIgnoreCase("8BITMIME")))) {
                refuse(SmtpReply.of(555, "5.5.4", "Error: unsupported parameter " + key));
                return;
            }
        }
        reversePath = mail.reversePath();
        reply(SmtpReply.of(250, "2.1.0", "Ok"));
    }

    private void rcpt(SmtpCommand.Rcpt rcpt) {
        if (reversePath == null) {
            refuse(SmtpReply.of(503, "5.5.1", "Error: need MAIL command"));
            return;
        }
        if (!rcpt.parameters().isEmpty()) {
            refuse(SmtpReply.of(555, "5.5.4", "Error: unsupported parameter " + rcpt.parameters().keySet().iterator().next()));
            return;
        }
        if (recipients.size() >= settings.maxRecipients()) {
            reply(SmtpReply.of(452, "4.5.3", "Error: too many recipients"));
            return;
        }
        SmtpPath path = rcpt.forwardPath();
        Optional<String> refusal = settings.relayPolicy().refusal(path, trusted);
        if (refusal.isPresent()) {
            metrics.relayRefused();
            LOG.infof("relay refused: client=%s helo=%s rcpt=<%s> reason=%s", clientIp, heloName, path.mailbox(), refusal.get());
            refuse(SmtpReply.of(554, "5.7.1", "<" + path.mailbox() + ">: Relay access denied"));
            return;
        }
        recipients.add(path.mailbox());
        reply(SmtpReply.of(250, "2.1.5", "Ok"));
    }

    private void data() {
        if (reversePath == null) {
            refuse(SmtpReply.of(503, "5.5.1", "Error: need MAIL command"));
            return;
        }
        if (recipients.isEmpty()) {
            refuse(SmtpReply.of(554, "5.5.1", "Error: no valid recipients"));
            return;
        }
        content = new MessageContentReader(settings.maxMessageSize());
        mode = Mode.DATA;
        reply(SmtpReply.of(354, null, "End data with <CR><LF>.<CR><LF>"));
    }

    private void endOfData() {
        MessageContentReader message = content;
        mode = Mode.COMMAND;
        if (message.tooBig()) {
            resetTransaction();
            metrics.messageRefused();
            refuse(SmtpReply.of(552, "5.3.4", "Error: message file too big"));
            return;
        }
        if (message.sawBareLineBreak()) {
            resetTransaction();
            metrics.messageRefused();
            refuse(SmtpReply.of(550, "5.6.11", "Error: bare <CR> or <LF> in message content, see RFC 5321 section 2.3.8"));
            return;
        }
        String id = MessageIds.next();
        Instant now = Instant.now();
        byte[] received = ReceivedHeader.build(heloName, client, settings.hostname(), esmtp ? "ESMTP" : "SMTP", id,
                recipients, now.atZone(ZoneOffset.UTC));
        Buffer body = message.content();
        byte[] bytes = new byte[received.length + body.length()];
        System.arraycopy(received, 0, bytes, 0, received.length);
        body.getBytes(0, body.length(), bytes, received.length);
        Envelope envelope = new Envelope(id, now, clientIp, heloName, esmtp ? "ESMTP" : "SMTP", reversePath.mailbox(),
                recipients, bytes.length, ingressName);

        mode = Mode.WAITING;
        socket.pause();
        flush();
        publisher.publish(envelope, bytes).onComplete(result -> {
            if (mode == Mode.CLOSED) {
                return;
            }
            mode = Mode.COMMAND;
            resetTransaction();
            if (result.succeeded()) {
                accepted++;
                metrics.messageAccepted(bytes.length);
                reply(SmtpReply.of(250, "2.0.0", "Ok: queued as " + id));
            } else {
                metrics.messageDeferred();
                reply(SmtpReply.of(451, "4.3.0", "Error: message not queued, try again later"));
            }
            socket.resume();
            process();
        });
    }

    private void resetTransaction() {
        reversePath = null;
        recipients.clear();
        content = null;
    }

    /** A 4xx/5xx reply to a client mistake; too many of them end the session (a client that probes or is broken). */
    private void refuse(SmtpReply reply) {
        reply(reply);
        metrics.refused(reply);
        if (++errors >= settings.maxErrors() && mode != Mode.CLOSED) {
            reply(SmtpReply.of(421, "4.7.0", settings.hostname() + " Error: too many errors"));
            endReason = "too many errors";
            close();
        }
    }

    private void reply(SmtpReply reply) {
        output.appendBuffer(reply.encode());
    }

    private void flush() {
        if (output.length() == 0) {
            return;
        }
        Buffer replies = output;
        output = Buffer.buffer();
        socket.write(replies);
        if (socket.writeQueueFull() && mode != Mode.CLOSED) {
            // the client does not read its replies: stop reading its commands until it does
            socket.pause();
            socket.drainHandler(v -> {
                if (mode == Mode.COMMAND || mode == Mode.DATA) {
                    socket.resume();
                }
            });
        }
    }

    private void close() {
        mode = Mode.CLOSED;
        flush();
        socket.end().onComplete(v -> socket.close());
    }

    private void armIdleTimer() {
        if (idleTimer >= 0) {
            vertx.cancelTimer(idleTimer);
        }
        idleTimer = vertx.setTimer(settings.idleTimeout().toMillis(), id -> {
            idleTimer = -1;
            if (mode == Mode.COMMAND || mode == Mode.DATA) {
                reply(SmtpReply.of(421, "4.4.2", settings.hostname() + " Error: timeout exceeded"));
                endReason = "idle timeout";
                close();
            }
        });
    }

    private void onClosed() {
        boolean wasWaiting = mode == Mode.WAITING;
        mode = Mode.CLOSED;
        if (idleTimer >= 0) {
            vertx.cancelTimer(idleTimer);
        }
        metrics.connectionClosed();
        LOG.infof("session end: client=%s helo=%s accepted=%d errors=%d duration_ms=%d end=%s%s", clientIp, heloName, accepted,
                errors, (System.nanoTime() - connectedAt) / 1_000_000, endReason,
                wasWaiting ? " (while Kafka had the last message; it is delivered if Kafka acknowledges it)" : "");
    }

    private void compactInput() {
        if (readPos == 0) {
            return;
        }
        input = readPos >= input.length() ? Buffer.buffer() : input.getBuffer(readPos, input.length());
        readPos = 0;
    }

    private static int indexOfLf(Buffer buffer, int from) {
        for (int i = from; i < buffer.length(); i++) {
            if (buffer.getByte(i) == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static InetAddress parseAddress(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("socket peer is not an address literal: " + literal, e);
        }
    }
}
