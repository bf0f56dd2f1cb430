package org.mailgateway.policy.rules;

import java.util.List;
import org.mailgateway.contracts.RuleHit;
import org.mailgateway.policy.blocking.Networks;

/** The client is inside a CIDR the administrator listed as always allowed or always blocked. */
public final class StaticNetworksRule implements Rule {

    public static final String ALLOW = "STATIC_ALLOW";
    public static final String BLOCK = "STATIC_BLOCK";

    private final Networks allow;
    private final Networks block;
    private final double allowScore;
    private final double blockScore;

    public StaticNetworksRule(Networks allow, Networks block, double allowScore, double blockScore) {
        this.allow = allow;
        this.block = block;
        this.allowScore = allowScore;
        this.blockScore = blockScore;
    }

    @Override
    public List<RuleHit> evaluate(MessageFacts facts) {
        String ip = facts.envelope().clientIp();
        var allowed = allow.find(ip);
        if (allowed.isPresent() && allowScore != 0) {
            return List.of(new RuleHit(ALLOW, allowScore, "client " + ip + " is inside the allowed network " + allowed.get()));
        }
        var blocked = block.find(ip);
        if (blocked.isPresent() && blockScore != 0) {
            return List.of(new RuleHit(BLOCK, blockScore, "client " + ip + " is inside the blocked network " + blocked.get()));
        }
        return List.of();
    }
}
