package org.mailgateway.policy.rules;

import java.util.ArrayList;
import java.util.List;
import org.mailgateway.contracts.RuleHit;
import org.mailgateway.policy.dnsbl.DnsblListing;

/** Turns the DNS zones that list the client into hits: DNSBL for block lists, DNSWL (negative) for allowlists. */
public final class DnsblRule implements Rule {

    public static final String DNSBL = "DNSBL";
    public static final String DNSWL = "DNSWL";

    @Override
    public List<RuleHit> evaluate(MessageFacts facts) {
        List<RuleHit> hits = new ArrayList<>();
        for (DnsblListing listing : facts.listings()) {
            boolean allow = listing.weight() < 0;
            hits.add(new RuleHit(allow ? DNSWL : DNSBL, listing.weight(), "client " + facts.envelope().clientIp() + " is listed in "
                    + (allow ? "the allowlist " : "the blocklist ") + listing.zone() + " (" + String.join(", ", listing.answers()) + ")"));
        }
        return hits;
    }
}
