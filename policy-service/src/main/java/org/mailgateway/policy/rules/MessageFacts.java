package org.mailgateway.policy.rules;

import java.util.Objects;
import org.mailgateway.contracts.Envelope;

/**
 * What the rules may look at for one message. Asynchronous facts (DNS blocklist answers, per-IP windows) are
 * gathered before the rules run and added here, so that every rule stays a pure, synchronous function.
 *
 * @param envelope the SMTP envelope and session facts from the ingress
 * @param message  the message bytes as received (with the ingress's Received: header)
 */
public record MessageFacts(Envelope envelope, byte[] message) {

    public MessageFacts {
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(message, "message");
    }
}
