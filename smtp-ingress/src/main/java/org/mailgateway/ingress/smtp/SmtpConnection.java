package org.mailgateway.ingress.smtp;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLSession;
import org.jboss.logging.Logger;
import org.mailgateway.contracts.BlockEntry;
import org.mailgateway.contracts.Envelope;
import org.mailgateway.contracts.MessageIds;
import org.mailgateway.contracts.SessionSummary;
import org.mailgateway.contracts.SessionSummary.End;
import org.mailgateway.contracts.SessionSummary.RefusalKind;
import org.mailgateway.ingress.access.AccessList;
import org.mailgateway.ingress.access.ConnectionLimiter;
import org.mailgateway.ingress.access.IpAddresses;
import org.mailgateway.ingress.auth.SaslExchange;
import org.mailgateway.ingress.config.SmtpConfig;
import org.mailgateway.ingress.proxy.ProxyHeader;
import org.mailgateway.ingress.smtp.address.SmtpPath;
import org.mailgateway.smtp.codec.MessageContentReader;
import org.mailgateway.smtp.codec.SmtpReply;

/**
 * One SMTP session on one socket, confined to one event loop.
 *
 * <p>Phases: an optional PROXY protocol header (the real client address), the connect-time checks (block
 * list, connection limits, shutdown), an optional banner delay during which talking is pregreet, then
 * commands. Bytes are framed into command lines (or, after DATA, fed to a {@link MessageContentReader});
 * replies to pipelined commands are collected and written together (RFC 2920). While Kafka has not yet
 * acknowledged a message, a TLS handshake runs or a password is checked, the socket is paused, so a fast
 * client cannot make the server buffer without bound, and the commands it pipelined wait their turn.
 *
 * <p>When the session ends, one {@link SessionSummary} goes to {@code smtp.sessions}.
 */
final class SmtpConnection {

    private static final Logger LOG = Logger.getLogger(SmtpConnection.class);

    private enum Mode { PROXY, BANNER_DELAY, COMMAND, DATA, WAITING, CLOSED }

    private final SmtpSocket socket;
    private final Vertx vertx;
    private final Context context;
    private final SmtpSettings settings;
    private final SmtpServices services;
    private final boolean proxyListener;
    private final String sessionId = MessageIds.next();
    private final Instant connectedAt = Instant.now();
    private final SessionFacts facts = new SessionFacts();

    private InetAddress client;
    private String clientIp;
    private boolean trusted;
    private boolean holdsSlot;
    private boolean draining;

    private Mode mode;
    private Buffer input = Buffer.buffer();
    private int readPos;
    private boolean discardingLongLine;
    private Buffer output = Buffer.buffer();
    private long idleTimer = -1;
    private long idleTimerDue;     // System.nanoTime() at which idleTimer fires
    private long idleDeadline;     // System.nanoTime() by which the client must have sent something
    private long phaseTimer = -1;
    private long sessionTimer = -1;
    private int errors;
    /** The client left so many replies unread that reading from it stopped until it reads them. */
    private boolean repliesUnread;

    // session state, reset by STARTTLS
    private String heloName;
    private boolean esmtp;
    private boolean tls;
    private String authUser;
    private SaslExchange sasl;

    // transaction state, reset by RSET, HELO/EHLO and the end of DATA
    private SmtpPath reversePath;
    private final List<String> recipients = new ArrayList<>();
    private final List<Envelope.Dsn.Recipient> dsnRecipients = new ArrayList<>();
    private String body;
    private boolean smtputf8;
    private String dsnRet;
    private String dsnEnvid;
    private MessageContentReader content;

    SmtpConnection(SmtpSocket socket, Vertx vertx, SmtpSettings settings, SmtpServices services, boolean proxyListener) {
        this.socket = socket;
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.settings = settings;
        this.services = services;
        this.proxyListener = proxyListener;
    }

    void start() {
        services.open().add(this);
        services.metrics().connectionOpened();
        socket.handler(this::onBytes);
        socket.closeHandler(v -> onClosed());
        socket.exceptionHandler(e -> {
            facts.end = End.ERROR;
            LOG.debugf("session %s: I/O error: %s", sessionId, e.toString());
            socket.close();
        });
        InetAddress peer = socket.remoteAddress();
        if (proxyListener || settings.expectsProxyHeader(peer)) {
            mode = Mode.PROXY;
            setClient(peer); // until the header says otherwise: what the logs show if it never comes
            phaseTimer = vertx.setTimer(settings.proxyTimeout().toMillis(), id -> {
                phaseTimer = -1;
                if (mode == Mode.PROXY) {
                    abort(End.ERROR, "no PROXY protocol header within " + settings.proxyTimeout().toSeconds() + " s");
                }
            });
            return;
        }
        setClient(peer);
        admit();
    }

    private void setClient(InetAddress address) {
        client = IpAddresses.unmapped(address);
        clientIp = client.getHostAddress();
        trusted = settings.relayPolicy().isTrusted(client);
    }

    /** The connect-time checks, cheapest first; then the banner, at once or after the configured delay. */
    private void admit() {
        Instant now = Instant.now();
        if (draining || services.open().draining()) {
            refuseConnection(SmtpReply.of(421, "4.3.2", settings.hostname() + " Service shutting down, try again later"),
                    End.SHUTDOWN, "shutdown");
            return;
        }
        AccessList.Access access = trusted ? null : services.accessList().check(client, now);
        if (access != null && access.block() != null) {
            BlockEntry entry = access.block();
            String until = entry.expiresAt() == null ? "until removed" : "until " + entry.expiresAt();
            refuseConnection(SmtpReply.of(554, "5.7.1", "Client host [" + clientIp + "] blocked " + until + ": "
                    + ReceivedHeader.printableText(entry.reason(), 300)), End.BLOCKED, "blocked");
            return;
        }
        boolean allowed = trusted || access.allowed();
        ConnectionLimiter.Outcome slot = services.limiter().tryAcquire(clientIp, allowed);
        if (slot != ConnectionLimiter.Outcome.ACQUIRED) {
            String what = slot == ConnectionLimiter.Outcome.TOTAL_LIMIT ? "Too many connections"
                    : "Too many connections from " + clientIp;
            refuseConnection(SmtpReply.of(421, "4.7.0", settings.hostname() + " Error: " + what + ", try again later"),
                    End.CONNECTION_LIMIT, "limit");
            return;
        }
        holdsSlot = true;
        sessionTimer = vertx.setTimer(settings.maxSessionDuration().toMillis(), id -> {
            sessionTimer = -1;
            if (mode != Mode.CLOSED) {
                reply(SmtpReply.of(421, "4.4.2", settings.hostname() + " Error: session too long"));
                end(End.TIMEOUT);
            }
        });
        if (allowed || settings.bannerDelay().isZero()) {
            greet();
            return;
        }
        mode = Mode.BANNER_DELAY;
        phaseTimer = vertx.setTimer(settings.bannerDelay().toMillis(), id -> {
            phaseTimer = -1;
            if (mode == Mode.BANNER_DELAY) {
                greet();
            }
        });
    }

    private void greet() {
        services.metrics().connectionAdmitted();
        if (input.length() > readPos) {
            // bytes before the banner (after a PROXY header, or during the delay): the client did not wait
            pregreet();
            return;
        }
        mode = Mode.COMMAND;
        // the timeout is chosen before the banner leaves: once it has, a client waiting for it may open its next
        // session on another event loop, and this session's timeout must not depend on which loop is quicker
        armIdleTimer();
        reply(settings.greeting());
        flush();
    }

    private void pregreet() {
        LOG.infof("pregreet: client=%s sent %d bytes before the banner", clientIp, input.length() - readPos);
        services.metrics().connectionRefused("pregreet");
        reply(SmtpReply.of(554, "5.5.1", settings.hostname() + " Error: talking before the greeting"));
        end(End.PREGREET);
    }

    private void refuseConnection(SmtpReply reply, End end, String outcome) {
        services.metrics().connectionRefused(outcome);
        services.metrics().refused(reply);
        LOG.debugf("refused at connect: client=%s reply=%s", clientIp, reply);
        reply(reply);
        end(end);
    }

    private void onBytes(Buffer bytes) {
        facts.bytesReceived += bytes.length();
        if (mode == Mode.CLOSED) {
            return;
        }
        input.appendBuffer(bytes);
        switch (mode) {
            case PROXY -> proxyHeader();
            case BANNER_DELAY -> pregreet();
            case WAITING -> {
                // paused; what arrived before the pause waits for its turn
            }
            default -> {
                armIdleTimer();
                process();
            }
        }
    }

    private void proxyHeader() {
        ProxyHeader.Result result = ProxyHeader.parse(input.getBuffer(readPos, input.length()));
        if (result instanceof ProxyHeader.NeedMore) {
            return;
        }
        cancelPhaseTimer();
        if (result instanceof ProxyHeader.Invalid invalid) {
            services.metrics().connectionRefused("proxy_error");
            abort(End.ERROR, invalid.reason());
            return;
        }
        ProxyHeader.Parsed parsed = (ProxyHeader.Parsed) result;
        readPos += parsed.length();
        if (parsed.client() != null) {
            setClient(parsed.client());
        }
        compactInput();
        admit();
    }

    /** Works through the buffered input until it needs more bytes, is waiting, or the session ended. */
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
            String line = tooLong ? null : CommandLines.decode(input, readPos, lineEnd);
            readPos = lf + 1;
            discardingLongLine = false;
            if (tooLong) {
                refuse(SmtpReply.of(500, "5.5.2", "Error: line too long"), "?", null, RefusalKind.LIMIT);
            } else if (line == null) {
                refuse(SmtpReply.of(500, "5.5.2", "Error: 8-bit characters in command"), "?", null, RefusalKind.SYNTAX);
            } else if (sasl != null) {
                authResponse(line);
            } else {
                handle(CommandParser.parse(line), line);
            }
        }
        compactInput();
        flush();
    }

    private void handle(SmtpCommand command, String line) {
        if (draining && reversePath == null && !(command instanceof SmtpCommand.Quit)) {
            reply(SmtpReply.of(421, "4.3.2", settings.hostname() + " Service shutting down, try again later"));
            end(End.SHUTDOWN);
            return;
        }
        if (command instanceof SmtpCommand.Helo helo) {
            hello(helo.domain(), false);
        } else if (command instanceof SmtpCommand.Ehlo ehlo) {
            hello(ehlo.domain(), true);
        } else if (command instanceof SmtpCommand.Mail mail) {
            mail(mail, line);
        } else if (command instanceof SmtpCommand.Rcpt rcpt) {
            rcpt(rcpt, line);
        } else if (command instanceof SmtpCommand.Data) {
            data();
        } else if (command instanceof SmtpCommand.Rset) {
            resetTransaction();
            reply(SmtpReply.of(250, "2.0.0", "Ok"));
        } else if (command instanceof SmtpCommand.Noop) {
            reply(SmtpReply.of(250, "2.0.0", "Ok"));
        } else if (command instanceof SmtpCommand.Quit) {
            reply(SmtpReply.of(221, "2.0.0", "Bye"));
            end(End.QUIT);
        } else if (command instanceof SmtpCommand.StartTls) {
            startTls();
        } else if (command instanceof SmtpCommand.Auth auth) {
            auth(auth);
        } else if (command instanceof SmtpCommand.Vrfy) {
            reply(SmtpReply.of(252, "2.0.0", "Cannot VRFY user, but will accept message and attempt delivery"));
        } else if (command instanceof SmtpCommand.Help) {
            reply(SmtpReply.of(214, "2.0.0", "Commands: HELO EHLO STARTTLS AUTH MAIL RCPT DATA RSET NOOP QUIT VRFY HELP"));
        } else if (command instanceof SmtpCommand.NotImplemented ni) {
            refuse(SmtpReply.of(502, "5.5.1", "Error: command not implemented"), ni.verb(), null, RefusalKind.UNSUPPORTED);
        } else if (command instanceof SmtpCommand.Invalid invalid) {
            refuse(invalid.reply(), invalid.verb(), argumentOf(line), RefusalKind.SYNTAX);
        } else {
            String verb = ((SmtpCommand.Unknown) command).verb();
            refuse(SmtpReply.of(500, "5.5.2", "Error: command not recognized"), verb.length() > 16 ? verb.substring(0, 16) : verb,
                    null, RefusalKind.UNSUPPORTED);
        }
    }

    private void hello(String name, boolean extended) {
        facts.helo(name);
        heloName = name;
        esmtp = extended;
        resetTransaction();
        reply(extended ? settings.ehloReply(tls) : SmtpReply.of(250, null, settings.hostname()));
    }

    private void startTls() {
        if (!settings.tlsAvailable()) {
            refuse(SmtpReply.of(502, "5.5.1", "Error: STARTTLS not offered"), "STARTTLS", null, RefusalKind.UNSUPPORTED);
            return;
        }
        if (tls) {
            refuse(SmtpReply.of(503, "5.5.1", "Error: TLS already active"), "STARTTLS", null, RefusalKind.SEQUENCE);
            return;
        }
        if (reversePath != null) {
            refuse(SmtpReply.of(503, "5.5.1", "Error: STARTTLS inside a mail transaction"), "STARTTLS", null, RefusalKind.SEQUENCE);
            return;
        }
        int injected = input.length() - readPos;
        if (injected > 0) {
            // CVE-2011-0411 class: whatever was pipelined after STARTTLS was sent in the clear and is discarded
            LOG.infof("STARTTLS: client=%s pipelined %d plaintext bytes after STARTTLS; discarded", clientIp, injected);
            readPos = input.length();
        }
        reply(SmtpReply.of(220, "2.0.0", "Ready to start TLS"));
        mode = Mode.WAITING;
        socket.pause();
        Buffer ready = output;
        output = Buffer.buffer();
        socket.startTls(ready).onComplete(result -> {
            if (mode == Mode.CLOSED) {
                return;
            }
            if (result.failed()) {
                LOG.infof("STARTTLS: client=%s handshake failed: %s", clientIp, result.cause().toString());
                facts.end = End.ERROR;
                mode = Mode.CLOSED;
                socket.close();
                return;
            }
            tls = true;
            SSLSession session = socket.sslSession();
            facts.tls = session == null ? new SessionSummary.Tls("TLS", "unknown")
                    : new SessionSummary.Tls(session.getProtocol(), session.getCipherSuite());
            // RFC 3207 section 4.2: forget everything learnt before the handshake
            heloName = null;
            esmtp = false;
            resetTransaction();
            input = Buffer.buffer();
            readPos = 0;
            mode = Mode.COMMAND;
            armIdleTimer();
            socket.resume();
        });
    }

    private void auth(SmtpCommand.Auth auth) {
        facts.authAttempts++;
        if (settings.credentials() == null) {
            refuse(SmtpReply.of(502, "5.5.1", "Error: authentication not enabled"), "AUTH", null, RefusalKind.UNSUPPORTED);
            return;
        }
        if (!settings.authOffered(tls)) {
            refuse(SmtpReply.of(538, "5.7.11", "Error: encryption required for authentication, use STARTTLS first"), "AUTH",
                    null, RefusalKind.AUTH);
            return;
        }
        if (heloName == null || !esmtp) {
            refuse(SmtpReply.of(503, "5.5.1", "Error: send EHLO first"), "AUTH", null, RefusalKind.SEQUENCE);
            return;
        }
        if (authUser != null) {
            refuse(SmtpReply.of(503, "5.5.1", "Error: already authenticated"), "AUTH", null, RefusalKind.SEQUENCE);
            return;
        }
        if (reversePath != null) {
            refuse(SmtpReply.of(503, "5.5.1", "Error: AUTH inside a mail transaction"), "AUTH", null, RefusalKind.SEQUENCE);
            return;
        }
        authStep(SaslExchange.start(auth.argument()));
    }

    private void authResponse(String line) {
        SaslExchange exchange = sasl;
        sasl = null;
        authStep(exchange.respond(line));
    }

    private void authStep(SaslExchange.Step step) {
        if (step instanceof SaslExchange.Challenge challenge) {
            sasl = challenge.next();
            reply(SmtpReply.of(334, null, challenge.challenge()));
        } else if (step instanceof SaslExchange.Failed failed) {
            facts.authFailures++;
            refuse(SmtpReply.of(failed.code(), failed.enhancedCode(), "Error: " + failed.text()), "AUTH", null, RefusalKind.AUTH);
        } else {
            SaslExchange.Credentials credentials = (SaslExchange.Credentials) step;
            mode = Mode.WAITING;
            socket.pause();
            flush();
            vertx.<Boolean>executeBlocking(() -> settings.credentials().verify(credentials.user(), credentials.password()), false)
                    .onComplete(result -> {
                        if (mode == Mode.CLOSED) {
                            return;
                        }
                        mode = Mode.COMMAND;
                        armIdleTimer();
                        if (result.succeeded() && result.result()) {
                            authUser = credentials.user();
                            facts.authMechanism = credentials.mechanism();
                            reply(SmtpReply.of(235, "2.7.0", "Authentication successful"));
                        } else {
                            facts.authFailures++;
                            LOG.infof("AUTH failed: client=%s mechanism=%s", clientIp, credentials.mechanism());
                            refuse(SmtpReply.of(535, "5.7.8", "Error: authentication credentials invalid"), "AUTH",
                                    credentials.mechanism(), RefusalKind.AUTH);
                        }
                        socket.resume();
                        process();
                    });
        }
    }

    private void mail(SmtpCommand.Mail mail, String line) {
        if (heloName == null) {
            refuse(SmtpReply.of(503, "5.5.1", "Error: send HELO/EHLO first"), "MAIL", argumentOf(line), RefusalKind.SEQUENCE);
            return;
        }
        if (reversePath != null) {
            refuse(SmtpReply.of(503, "5.5.1", "Error: nested MAIL command"), "MAIL", argumentOf(line), RefusalKind.SEQUENCE);
            return;
        }
        String newBody = null;
        boolean utf8 = false;
        String ret = null;
        String envid = null;
        for (Map.Entry<String, String> param : mail.parameters().entrySet()) {
            String key = param.getKey();
            String value = param.getValue();
            SmtpReply problem = null;
            if (!esmtp) {
                problem = SmtpReply.of(555, "5.5.4", "Error: parameters need EHLO");
            } else if (key.equals("SIZE") && value != null && value.matches("\\d{1,18}")) {
                if (Long.parseLong(value) > settings.maxMessageSize()) {
                    refuse(SmtpReply.of(552, "5.3.4", "Error: message size exceeds fixed limit"), "MAIL", argumentOf(line),
                            RefusalKind.LIMIT);
                    return;
                }
            } else if (key.equals("BODY") && value != null
                    && (value.equalsIgnoreCase("7BIT") || value.equalsIgnoreCase("8BITMIME"))) {
                newBody = value.toUpperCase(Locale.ROOT);
            } else if (key.equals("SMTPUTF8") && value == null) {
                utf8 = true;
            } else if (key.equals("RET") && value != null && (value.equalsIgnoreCase("FULL") || value.equalsIgnoreCase("HDRS"))) {
                ret = value.toUpperCase(Locale.ROOT);
            } else if (key.equals("ENVID") && value != null && DsnParameters.validEnvid(value)) {
                envid = value;
            } else if (key.equals("AUTH") && value != null && !value.isEmpty()) {
                // RFC 4954 section 5: accepted, and not trusted from an unauthenticated client; nothing to keep
            } else {
                problem = SmtpReply.of(555, "5.5.4", "Error: unsupported or malformed parameter " + key);
            }
            if (problem != null) {
                refuse(problem, "MAIL", argumentOf(line), RefusalKind.SYNTAX);
                return;
            }
        }
        reversePath = mail.reversePath();
        body = newBody;
        smtputf8 = utf8;
        dsnRet = ret;
        dsnEnvid = envid;
        reply(SmtpReply.of(250, "2.1.0", "Ok"));
    }

    private void rcpt(SmtpCommand.Rcpt rcpt, String line) {
        if (reversePath == null) {
            refuse(SmtpReply.of(503, "5.5.1", "Error: need MAIL command"), "RCPT", argumentOf(line), RefusalKind.SEQUENCE);
            return;
        }
        SmtpPath path = rcpt.forwardPath();
        if (!smtputf8 && !isAscii(path.mailbox())) {
            refuse(SmtpReply.of(553, "5.6.7", "Error: non-ASCII address needs the SMTPUTF8 parameter on MAIL"), "RCPT",
                    argumentOf(line), RefusalKind.SYNTAX);
            return;
        }
        String notify = null;
        String orcpt = null;
        for (Map.Entry<String, String> param : rcpt.parameters().entrySet()) {
            String key = param.getKey();
            String value = param.getValue();
            if (esmtp && key.equals("NOTIFY") && value != null && DsnParameters.validNotify(value)) {
                notify = value.toUpperCase(Locale.ROOT);
            } else if (esmtp && key.equals("ORCPT") && value != null && DsnParameters.validOrcpt(value)) {
                orcpt = value;
            } else {
                refuse(SmtpReply.of(555, "5.5.4", "Error: unsupported or malformed parameter " + key), "RCPT", argumentOf(line),
                        RefusalKind.SYNTAX);
                return;
            }
        }
        if (recipients.size() >= settings.maxRecipients()) {
            refuse(SmtpReply.of(452, "4.5.3", "Error: too many recipients"), "RCPT", argumentOf(line), RefusalKind.LIMIT);
            return;
        }
        Optional<String> refusal = settings.relayPolicy().refusal(path, trusted || authUser != null);
        if (refusal.isPresent()) {
            services.metrics().relayRefused();
            LOG.infof("relay refused: client=%s helo=%s rcpt=<%s> reason=%s", clientIp, heloName, path.mailbox(), refusal.get());
            refuse(SmtpReply.of(554, "5.7.1", "<" + path.mailbox() + ">: Relay access denied"), "RCPT", argumentOf(line),
                    RefusalKind.RELAY);
            return;
        }
        recipients.add(path.mailbox());
        if (notify != null || orcpt != null) {
            dsnRecipients.add(new Envelope.Dsn.Recipient(path.mailbox(), notify, orcpt));
        }
        facts.recipientsAccepted++;
        reply(SmtpReply.of(250, "2.1.5", "Ok"));
    }

    private void data() {
        if (reversePath == null) {
            refuse(SmtpReply.of(503, "5.5.1", "Error: need MAIL command"), "DATA", null, RefusalKind.SEQUENCE);
            return;
        }
        if (recipients.isEmpty()) {
            refuse(SmtpReply.of(554, "5.5.1", "Error: no valid recipients"), "DATA", null, RefusalKind.SEQUENCE);
            return;
        }
        content = new MessageContentReader(settings.maxMessageSize());
        mode = Mode.DATA;
        reply(SmtpReply.of(354, null, "End data with <CR><LF>.<CR><LF>"));
    }

    private void endOfData() {
        MessageContentReader message = content;
        mode = Mode.COMMAND;
        SmtpReply refusal = null;
        if (message.tooBig()) {
            refusal = SmtpReply.of(552, "5.3.4", "Error: message file too big");
        } else if (message.sawBareLineBreak()) {
            refusal = SmtpReply.of(550, "5.6.11", "Error: bare <CR> or <LF> in message content, see RFC 5321 section 2.3.8");
        } else if (settings.longMessageLines() == SmtpConfig.LongLines.REFUSE && message.longestLine() > 1000) {
            refusal = SmtpReply.of(550, "5.6.0", "Error: message line longer than 1000 octets, see RFC 5321 section 4.5.3.1.6");
        }
        if (refusal != null) {
            resetTransaction();
            facts.messagesRefused++;
            services.metrics().messageRefused();
            refuse(refusal, "DATA", null, RefusalKind.CONTENT);
            return;
        }
        String id = MessageIds.next();
        Instant now = Instant.now();
        boolean authenticated = authUser != null;
        String protocol = protocol();
        byte[] received = ReceivedHeader.build(heloName, client, settings.hostname(), protocol, id, recipients,
                now.atZone(ZoneOffset.UTC), facts.tls, authenticated, settings.showUserInReceived() ? authUser : null);
        Buffer bodyBytes = message.content();
        byte[] bytes = new byte[received.length + bodyBytes.length()];
        System.arraycopy(received, 0, bytes, 0, received.length);
        bodyBytes.getBytes(0, bodyBytes.length(), bytes, received.length);
        Envelope.Dsn dsn = dsnRet == null && dsnEnvid == null && dsnRecipients.isEmpty() ? null
                : new Envelope.Dsn(dsnRet, dsnEnvid, dsnRecipients);
        Envelope envelope = new Envelope(id, now, clientIp, heloName, protocol, reversePath.mailbox(), recipients, bytes.length,
                services.ingressName(), facts.tls, authenticated, trusted, body, smtputf8, dsn);

        mode = Mode.WAITING;
        socket.pause();
        flush();
        services.mail().publish(envelope, bytes).onComplete(result -> {
            if (mode == Mode.CLOSED) {
                return;
            }
            mode = Mode.COMMAND;
            armIdleTimer(); // the client's idle time starts from this reply, not from its last bytes
            resetTransaction();
            if (result.succeeded()) {
                facts.messagesAccepted++;
                services.metrics().messageAccepted(bytes.length);
                reply(SmtpReply.of(250, "2.0.0", "Ok: queued as " + id));
            } else {
                facts.messagesRefused++;
                services.metrics().messageDeferred();
                reply(SmtpReply.of(451, "4.3.0", "Error: message not queued, try again later"));
            }
            socket.resume();
            process();
        });
    }

    /** RFC 3848 names, so that the Received: header tells how the message came in. */
    private String protocol() {
        if (!esmtp) {
            return "SMTP";
        }
        return "ESMTP" + (tls ? "S" : "") + (authUser != null ? "A" : "");
    }

    private void resetTransaction() {
        reversePath = null;
        recipients.clear();
        dsnRecipients.clear();
        body = null;
        smtputf8 = false;
        dsnRet = null;
        dsnEnvid = null;
        content = null;
    }

    /** A 4xx/5xx reply to a client command; too many of them end the session (a client that probes or is broken). */
    private void refuse(SmtpReply reply, String command, String argument, RefusalKind kind) {
        reply(reply);
        facts.refused(command, argument, reply, kind);
        services.metrics().refused(reply);
        if (++errors >= settings.maxErrors() && mode != Mode.CLOSED) {
            reply(SmtpReply.of(421, "4.7.0", settings.hostname() + " Error: too many errors"));
            end(End.TOO_MANY_ERRORS);
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
            if (!repliesUnread) {
                repliesUnread = true;
                services.metrics().repliesUnread();
            }
            socket.pause();
            socket.drainHandler(v -> {
                repliesRead();
                if (mode == Mode.COMMAND || mode == Mode.DATA) {
                    socket.resume();
                }
            });
        }
    }

    /** The client read its replies, or the session closed: it no longer counts as leaving them unread. */
    private void repliesRead() {
        if (repliesUnread) {
            repliesUnread = false;
            services.metrics().repliesRead();
        }
    }

    /** Sends what is pending and closes the connection. */
    private void end(End how) {
        facts.end = how;
        mode = Mode.CLOSED;
        flush();
        socket.end();
    }

    /** Closes without a reply (a broken PROXY header: there is no SMTP session to answer). */
    private void abort(End how, String reason) {
        LOG.infof("connection from %s closed: %s", clientIp, reason);
        facts.end = how;
        mode = Mode.CLOSED;
        socket.close();
    }

    /** Called on shutdown, from any thread: finish the transaction in flight, refuse anything new. */
    void drain() {
        context.runOnContext(v -> {
            draining = true;
            if (mode == Mode.COMMAND && reversePath == null && sasl == null) {
                reply(SmtpReply.of(421, "4.3.2", settings.hostname() + " Service shutting down, try again later"));
                end(End.SHUTDOWN);
            } else if (mode == Mode.PROXY || mode == Mode.BANNER_DELAY) {
                facts.end = End.SHUTDOWN;
                mode = Mode.CLOSED;
                socket.close();
            }
        });
    }

    /** Called when the shutdown grace period is over. */
    void forceClose() {
        context.runOnContext(v -> {
            if (mode != Mode.CLOSED) {
                facts.end = End.SHUTDOWN;
                mode = Mode.CLOSED;
                socket.close();
            }
        });
    }

    /**
     * The client was heard from: it now has the idle timeout (the shorter one while the ingress is under stress)
     * to say more. Called on every read, so it only moves a deadline; the timer is set again only when it would
     * fire after the new deadline (stress began since it was set) or when none is set. A timer that fires
     * before the deadline sets itself for the rest.
     */
    private void armIdleTimer() {
        long now = System.nanoTime();
        Duration timeout = services.limiter().total() > settings.stressConnections() ? settings.stressIdleTimeout()
                : settings.idleTimeout();
        idleDeadline = now + timeout.toNanos();
        if (idleTimer >= 0) {
            if (idleTimerDue - idleDeadline <= 0) {
                return;
            }
            vertx.cancelTimer(idleTimer);
        }
        setIdleTimer(now);
    }

    private void setIdleTimer(long now) {
        long delayMillis = Math.max(1, (idleDeadline - now + 999_999) / 1_000_000);
        idleTimerDue = now + delayMillis * 1_000_000;
        idleTimer = vertx.setTimer(delayMillis, id -> {
            idleTimer = -1;
            if (mode != Mode.COMMAND && mode != Mode.DATA) {
                return;
            }
            long firedAt = System.nanoTime();
            if (firedAt - idleDeadline < 0) {
                setIdleTimer(firedAt);
                return;
            }
            reply(SmtpReply.of(421, "4.4.2", settings.hostname() + " Error: timeout exceeded"));
            end(End.TIMEOUT);
        });
    }

    private void cancelPhaseTimer() {
        if (phaseTimer >= 0) {
            vertx.cancelTimer(phaseTimer);
            phaseTimer = -1;
        }
    }

    private void onClosed() {
        boolean wasWaiting = mode == Mode.WAITING && content != null;
        mode = Mode.CLOSED;
        for (long timer : new long[] {idleTimer, phaseTimer, sessionTimer}) {
            if (timer >= 0) {
                vertx.cancelTimer(timer);
            }
        }
        if (holdsSlot) {
            services.limiter().release(clientIp);
        }
        services.open().remove(this);
        services.metrics().connectionClosed(facts.bytesReceived);
        repliesRead();
        Instant endedAt = Instant.now();
        SessionSummary summary = facts.summary(sessionId, services.ingressName(), clientIp, connectedAt, endedAt);
        services.sessions().publish(summary);
        // a blocked client's refused connection is counted (metrics, smtp.sessions) but logged only at DEBUG: a
        // flood must not become thousands of log lines a second, nor build their arguments when DEBUG is off
        Logger.Level level = facts.end == End.BLOCKED ? Logger.Level.DEBUG : Logger.Level.INFO;
        if (!LOG.isEnabled(level)) {
            return;
        }
        // one line per session: concatenated, not through java.util.Formatter (about 1.5 µs a line less, measured in
        // docs/benchmarks.md, sixth pass)
        LOG.log(level, "session end: session=" + sessionId + " client=" + clientIp + " helo=" + facts.lastHelo()
                + " tls=" + (tls ? facts.tls.protocol() : "no")
                + " auth=" + (authUser != null ? "yes" : facts.authFailures > 0 ? "failed" : "no")
                + " accepted=" + facts.messagesAccepted + " refused_rcpt_relay=" + facts.relayAttempts + " errors=" + errors
                + " bytes=" + facts.bytesReceived + " duration_ms=" + Duration.between(connectedAt, endedAt).toMillis()
                + " end=" + facts.end
                + (wasWaiting ? " (while Kafka had the last message; it is delivered if Kafka acknowledges it)" : ""));
    }

    private void compactInput() {
        if (readPos == 0) {
            return;
        }
        input = readPos >= input.length() ? Buffer.buffer() : input.getBuffer(readPos, input.length());
        readPos = 0;
    }

    private static String argumentOf(String line) {
        int space = line == null ? -1 : line.indexOf(' ');
        return space < 0 ? null : line.substring(space + 1);
    }

    private static boolean isAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) > 127) {
                return false;
            }
        }
        return true;
    }

    private static int indexOfLf(Buffer buffer, int from) {
        for (int i = from; i < buffer.length(); i++) {
            if (buffer.getByte(i) == '\n') {
                return i;
            }
        }
        return -1;
    }
}
