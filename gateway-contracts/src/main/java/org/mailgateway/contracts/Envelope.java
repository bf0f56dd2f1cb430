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
        String ingress) {

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
