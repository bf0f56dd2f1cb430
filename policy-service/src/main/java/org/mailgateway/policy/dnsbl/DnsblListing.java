package org.mailgateway.policy.dnsbl;

import java.util.List;

/**
 * One zone that lists the client: its name, its configured weight (negative for an allowlist) and the answers
 * that passed the zone's filter (e.g. {@code 127.0.0.2}).
 */
public record DnsblListing(String zone, double weight, List<String> answers) {

    public DnsblListing {
        answers = List.copyOf(answers);
    }
}
