package org.mailgateway.queue.store;

import java.util.List;
import org.mailgateway.contracts.Envelope;
import org.mailgateway.contracts.Verdict;

/**
 * A judged message about to be stored, with one delivery per recipient when it is to be delivered.
 *
 * @param envelopeJson the envelope exactly as it travelled (stored as the source of truth)
 * @param subject      the Subject: header, for lists; null when there is none
 */
public record NewMessage(Envelope envelope, String envelopeJson, Verdict verdict, String hitsJson, byte[] raw,
        String subject, List<NewDelivery> deliveries) {

    /** @param destination {@code host:port}, or {@link #NO_ROUTE} */
    public record NewDelivery(String recipient, String destination) {

        public static final String NO_ROUTE = "(no route)";
    }
}
