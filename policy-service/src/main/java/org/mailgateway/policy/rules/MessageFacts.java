package org.mailgateway.policy.rules;

import java.util.List;
import java.util.Objects;
import org.mailgateway.contracts.Envelope;
import org.mailgateway.policy.behaviour.IpActivity;
import org.mailgateway.policy.dnsbl.DnsblListing;

/**
 * What the rules may look at for one message. Asynchronous facts (DNS blocklist answers, per-IP windows) are
 * gathered before the rules run and added here, so that every rule stays a pure, synchronous function.
 *
 * @param envelope the SMTP envelope and session facts from the ingress
 * @param message  the message bytes as received (with the ingress's Received: header)
 * @param activity what the client IP did within the sliding window (this message included)
 * @param listings the DNS block- and allowlist zones that list the client IP (timeouts are simply absent)
 */
public record MessageFacts(Envelope envelope, byte[] message, IpActivity activity, List<DnsblListing> listings) {

    public MessageFacts {
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(message, "message");
        activity = activity == null ? IpActivity.none(envelope.clientIp(), java.time.Duration.ZERO) : activity;
        listings = listings == null ? List.of() : List.copyOf(listings);
    }

    /** Facts of the message alone: no window, no DNS answers. */
    public MessageFacts(Envelope envelope, byte[] message) {
        this(envelope, message, null, null);
    }
}
