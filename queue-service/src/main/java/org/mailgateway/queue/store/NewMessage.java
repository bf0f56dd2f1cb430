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
 */
public record NewMessage(Envelope envelope, String envelopeJson, Verdict verdict, String hitsJson, byte[] raw,
        String subject, List<NewDelivery> deliveries, Duration firstAttempt) {

    /** This message with its deliveries stored leased for {@code lease}, for an attempt right after the commit. */
    public NewMessage leasedFor(Duration lease) {
        return new NewMessage(envelope, envelopeJson, verdict, hitsJson, raw, subject, deliveries, lease);
    }

    /** @param destination {@code host:port}, or {@link #NO_ROUTE} */
    public record NewDelivery(String recipient, String destination) {

        public static final String NO_ROUTE = "(no route)";
    }
}
