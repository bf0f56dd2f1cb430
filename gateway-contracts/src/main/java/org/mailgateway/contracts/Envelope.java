package org.mailgateway.contracts;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The SMTP envelope of one accepted message and the facts about the session it came from.
 * Travels as JSON in the {@link RecordHeaders#ENVELOPE} header; the message bytes are the record value.
 *
 * @param messageId    the gateway's id for the message (also in our {@code Received:} header)
 * @param receivedAt   when the final {@code .} of DATA arrived
 * @param clientIp     the SMTP client's address (the real one, after any PROXY protocol)
 * @param heloName     what the client announced in HELO/EHLO, exactly as sent
 * @param protocol     {@code SMTP} or {@code ESMTP} (RFC 3848 names)
 * @param mailFrom     the reverse path without angle brackets; empty for the null sender {@code <>}
 * @param recipients   the accepted forward paths without angle brackets, in RCPT order
 * @param size         the number of bytes in the record value (with our {@code Received:} header)
 * @param ingress      the name of the ingress instance that accepted it
 * @param tls          the TLS protocol and cipher of the session, or null without STARTTLS
 * @param authenticated the client authenticated with AUTH (the user name is not carried)
 * @param trusted      the client is in a trusted network
 * @param body         the MAIL {@code BODY=} parameter ({@code 7BIT}, {@code 8BITMIME}) or null when not given
 * @param smtputf8     the client asked for SMTPUTF8 (RFC 6531): addresses or headers may be UTF-8
 * @param dsn          the RFC 3461 DSN parameters the client gave, or null when it gave none
 */
public record Envelope(
        String messageId,
        Instant receivedAt,
        String clientIp,
        String heloName,
        String protocol,
        String mailFrom,
        List<String> recipients,
        long size,
        String ingress,
        SessionSummary.Tls tls,
        boolean authenticated,
        boolean trusted,
        String body,
        boolean smtputf8,
        Dsn dsn) {

    /**
     * RFC 3461 parameters: {@code RET} and {@code ENVID} from MAIL, {@code NOTIFY} and {@code ORCPT} per RCPT.
     *
     * @param ret        {@code FULL} or {@code HDRS}, or null
     * @param envid      the envelope id (xtext as sent), or null
     * @param recipients per recipient that had DSN parameters, in RCPT order
     */
    public record Dsn(String ret, String envid, List<Recipient> recipients) {

        public Dsn {
            recipients = recipients == null ? List.of() : List.copyOf(recipients);
        }

        /** @param notifyOn e.g. {@code SUCCESS,FAILURE} or {@code NEVER}, or null; @param orcpt e.g. {@code rfc822;a@b}, or null */
        public record Recipient(String recipient, String notifyOn, String orcpt) {
        }
    }

    /** An envelope without TLS, AUTH, BODY, SMTPUTF8 or DSN facts. */
    public Envelope(String messageId, Instant receivedAt, String clientIp, String heloName, String protocol, String mailFrom,
            List<String> recipients, long size, String ingress) {
        this(messageId, receivedAt, clientIp, heloName, protocol, mailFrom, recipients, size, ingress, null, false, false,
                null, false, null);
    }

    public Envelope {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(receivedAt, "receivedAt");
        Objects.requireNonNull(clientIp, "clientIp");
        Objects.requireNonNull(mailFrom, "mailFrom");
        recipients = List.copyOf(recipients);
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("an envelope needs at least one recipient");
        }
    }
}
