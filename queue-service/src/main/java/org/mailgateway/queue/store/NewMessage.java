package org.mailgateway.queue.store;

import java.time.Duration;
import java.util.List;
import org.mailgateway.contracts.Envelope;
import org.mailgateway.contracts.Verdict;

/**
 * A judged message about to be stored, with one delivery per recipient when it is to be delivered.
 *
 * @param envelopeJson the envelope exactly as it travelled (stored as the source of truth)
 * @param subject      the Subject: header, for lists; null when there is none
 * @param firstAttempt when not null, the deliveries are stored already leased to this instance for this long, with
 *                     their first attempt counted: the caller attempts them right after the commit, without the
 *                     delivery loop's claim (one statement and one row version less per recipient). Null: they are
 *                     stored due, and the delivery loop claims them.
 * @param bytesAfterAttempt only with {@code firstAttempt}: the rows are stored without the message's bytes, which
 *                     are written only if the first attempt does not deliver to every recipient in time
 *                     (docs/decisions/0008-first-attempt-before-the-bytes.md); the caller keeps them until then
 */
public record NewMessage(Envelope envelope, String envelopeJson, Verdict verdict, String hitsJson, byte[] raw,
        String subject, List<NewDelivery> deliveries, Duration firstAttempt, boolean bytesAfterAttempt) {

    /** A message stored with its bytes, and its deliveries (if any) due for the delivery loop. */
    public NewMessage(Envelope envelope, String envelopeJson, Verdict verdict, String hitsJson, byte[] raw,
            String subject, List<NewDelivery> deliveries) {
        this(envelope, envelopeJson, verdict, hitsJson, raw, subject, deliveries, null, false);
    }

    /**
     * This message with its deliveries stored leased for {@code lease}, for an attempt right after the commit; with
     * {@code bytesAfterAttempt}, without its bytes.
     */
    public NewMessage leasedFor(Duration lease, boolean bytesAfterAttempt) {
        return new NewMessage(envelope, envelopeJson, verdict, hitsJson, raw, subject, deliveries, lease, bytesAfterAttempt);
    }

    /** What a delivery attempt needs of this message. */
    public MessageContent content() {
        return new MessageContent(envelope.messageId(), envelope.mailFrom(), envelope.receivedAt(), envelopeJson, raw);
    }

    /** @param destination {@code host:port}, or {@link #NO_ROUTE} */
    public record NewDelivery(String recipient, String destination) {

        public static final String NO_ROUTE = "(no route)";
    }
}
