package org.mailgateway.contracts;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What happened in one SMTP session, published to {@code smtp.sessions} (key: client IP) when the session
 * ends, also for sessions that never sent a message or were refused at connect. This is the policy
 * service's view of behaviour that never reaches {@code mail.inbound}: relay attempts, HELO rotation,
 * AUTH failures, probing.
 *
 * @param sessionId         the gateway's id for the session (same layout as message ids)
 * @param ingress           the name of the ingress instance that served it
 * @param clientIp          the SMTP client's address (the real one, after any PROXY protocol)
 * @param connectedAt       when the connection was accepted
 * @param endedAt           when it closed
 * @param heloNames         every HELO/EHLO argument the client sent, in order, as sent (bounded; repeats kept)
 * @param tls               the negotiated TLS protocol and cipher, or null without STARTTLS
 * @param auth              what happened with AUTH
 * @param refusals          each refused command with the reply it got, in order (bounded, see {@code refusalsDropped})
 * @param refusalsDropped   refusals beyond the bound that are counted but not listed
 * @param messagesAccepted  messages that got the final 250 (Kafka acknowledged them)
 * @param messagesRefused   messages refused or temporarily failed at the end of DATA
 * @param recipientsAccepted recipients that got 250 at RCPT
 * @param relayAttempts     recipients refused because they were outside the accepted domains (relaying)
 * @param bytesReceived     bytes read from the client over the whole session
 * @param end               how the session ended
 * @param sessions          how many sessions this summary stands for: 1, except for sessions refused at connect
 *                          because their IP is blocked, which the ingress collapses per IP and period (a flood
 *                          must not become as many Kafka records): then their number, from {@code connectedAt} of
 *                          the first to {@code endedAt} of the last. Absent in older records, read as 1.
 */
public record SessionSummary(
        String sessionId,
        String ingress,
        String clientIp,
        Instant connectedAt,
        Instant endedAt,
        List<String> heloNames,
        Tls tls,
        Auth auth,
        List<Refusal> refusals,
        int refusalsDropped,
        int messagesAccepted,
        int messagesRefused,
        int recipientsAccepted,
        int relayAttempts,
        long bytesReceived,
        End end,
        int sessions) {

    /** How a session ended. */
    public enum End {
        /** the client sent QUIT */
        QUIT,
        /** the client closed the connection without QUIT */
        CLIENT_CLOSED,
        /** refused at connect: the client IP is on the block list */
        BLOCKED,
        /** refused at connect: too many connections in total or from this IP */
        CONNECTION_LIMIT,
        /** the client talked before the banner */
        PREGREET,
        /** closed with 421 after too many refused commands */
        TOO_MANY_ERRORS,
        /** the client stayed silent past the timeout */
        TIMEOUT,
        /** the gateway was shutting down */
        SHUTDOWN,
        /** a TLS, PROXY protocol or socket error */
        ERROR
    }

    /** Why a command was refused, in words a policy rule can count. */
    public enum RefusalKind {
        /** a recipient outside the accepted domains, or a path form that could make a later hop relay */
        RELAY,
        /** a malformed command or argument */
        SYNTAX,
        /** a command out of order */
        SEQUENCE,
        /** a limit: size, recipients, line length */
        LIMIT,
        /** a failed AUTH */
        AUTH,
        /** message content refused at the end of DATA (bare line breaks, size) */
        CONTENT,
        /** a command the gateway does not offer */
        UNSUPPORTED
    }

    /**
     * One refused command.
     *
     * @param command      the verb (e.g. {@code RCPT})
     * @param argument     the argument, truncated to 256 characters; never an AUTH secret
     * @param code         the reply code sent
     * @param enhancedCode the enhanced status code sent (RFC 3463), or null
     * @param kind         why, for counting
     */
    public record Refusal(String command, String argument, int code, String enhancedCode, RefusalKind kind) {

        public Refusal {
            Objects.requireNonNull(command, "command");
            Objects.requireNonNull(kind, "kind");
        }
    }

    /** @param protocol e.g. {@code TLSv1.3}; @param cipher e.g. {@code TLS_AES_256_GCM_SHA384} */
    public record Tls(String protocol, String cipher) {
    }

    /**
     * @param attempts  AUTH commands the client sent
     * @param failures  of which failed (wrong credentials or a malformed exchange)
     * @param succeeded whether the session ended authenticated
     * @param mechanism the mechanism of the successful AUTH, or null
     */
    public record Auth(int attempts, int failures, boolean succeeded, String mechanism) {

        public static final Auth NONE = new Auth(0, 0, false, null);
    }

    public SessionSummary {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(clientIp, "clientIp");
        Objects.requireNonNull(connectedAt, "connectedAt");
        Objects.requireNonNull(endedAt, "endedAt");
        Objects.requireNonNull(end, "end");
        heloNames = heloNames == null ? List.of() : List.copyOf(heloNames);
        refusals = refusals == null ? List.of() : List.copyOf(refusals);
        auth = auth == null ? Auth.NONE : auth;
        sessions = Math.max(1, sessions);
    }

    /** One session. */
    public SessionSummary(String sessionId, String ingress, String clientIp, Instant connectedAt, Instant endedAt,
            List<String> heloNames, Tls tls, Auth auth, List<Refusal> refusals, int refusalsDropped, int messagesAccepted,
            int messagesRefused, int recipientsAccepted, int relayAttempts, long bytesReceived, End end) {
        this(sessionId, ingress, clientIp, connectedAt, endedAt, heloNames, tls, auth, refusals, refusalsDropped,
                messagesAccepted, messagesRefused, recipientsAccepted, relayAttempts, bytesReceived, end, 1);
    }

    /** This summary standing for {@code count} sessions, from its start to {@code lastEndedAt}. */
    public SessionSummary collapsed(int count, Instant lastEndedAt) {
        return new SessionSummary(sessionId, ingress, clientIp, connectedAt, lastEndedAt, heloNames, tls, auth, refusals,
                refusalsDropped, messagesAccepted, messagesRefused, recipientsAccepted, relayAttempts, bytesReceived, end,
                count);
    }

    /** The HELO names without repeats, in the order first seen. */
    public List<String> distinctHeloNames() {
        return heloNames.stream().distinct().toList();
    }
}
