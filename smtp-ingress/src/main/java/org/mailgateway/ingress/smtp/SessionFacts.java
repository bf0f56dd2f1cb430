package org.mailgateway.ingress.smtp;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.mailgateway.contracts.SessionSummary;
import org.mailgateway.smtp.codec.SmtpReply;

/** What one session did, collected as it happens and turned into a {@link SessionSummary} at its end. */
final class SessionFacts {

    static final int MAX_HELO_NAMES = 50;
    static final int MAX_REFUSALS = 100;
    private static final int MAX_ARGUMENT = 256;

    private final List<String> heloNames = new ArrayList<>();
    private final List<SessionSummary.Refusal> refusals = new ArrayList<>();
    private int refusalsDropped;
    int messagesAccepted;
    int messagesRefused;
    int recipientsAccepted;
    int relayAttempts;
    long bytesReceived;
    int authAttempts;
    int authFailures;
    String authMechanism;
    SessionSummary.Tls tls;
    SessionSummary.End end = SessionSummary.End.CLIENT_CLOSED;

    void helo(String name) {
        if (heloNames.size() < MAX_HELO_NAMES) {
            heloNames.add(truncate(name));
        }
    }

    void refused(String command, String argument, SmtpReply reply, SessionSummary.RefusalKind kind) {
        if (kind == SessionSummary.RefusalKind.RELAY) {
            relayAttempts++;
        }
        if (refusals.size() < MAX_REFUSALS) {
            refusals.add(new SessionSummary.Refusal(command, argument == null ? null : truncate(argument), reply.code(),
                    reply.enhancedCode(), kind));
        } else {
            refusalsDropped++;
        }
    }

    String lastHelo() {
        return heloNames.isEmpty() ? null : heloNames.get(heloNames.size() - 1);
    }

    SessionSummary summary(String sessionId, String ingress, String clientIp, Instant connectedAt, Instant endedAt) {
        return new SessionSummary(sessionId, ingress, clientIp, connectedAt, endedAt, heloNames, tls,
                new SessionSummary.Auth(authAttempts, authFailures, authMechanism != null, authMechanism), refusals,
                refusalsDropped, messagesAccepted, messagesRefused, recipientsAccepted, relayAttempts, bytesReceived, end);
    }

    private static String truncate(String text) {
        return text.length() <= MAX_ARGUMENT ? text : text.substring(0, MAX_ARGUMENT);
    }
}
