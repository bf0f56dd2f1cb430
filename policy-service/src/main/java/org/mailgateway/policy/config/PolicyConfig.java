package org.mailgateway.policy.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Thresholds and rule scores. Each key also works as an environment variable (GATEWAY_POLICY_...). */
@ConfigMapping(prefix = "gateway.policy")
public interface PolicyConfig {

    /** A message whose total score reaches this is quarantined instead of delivered. */
    @WithDefault("5.0")
    double quarantineThreshold();

    /** Scores of the individual rules; 0 switches a rule off. */
    Scores scores();

    interface Scores {

        /** GTUBE: the message contains the standard anti-spam test string. */
        @WithDefault("1000")
        double gtube();

        /** HELO_NOT_FQDN: the HELO name is neither a fully qualified domain name nor an address literal. */
        @WithDefault("2.5")
        double heloNotFqdn();

        /** HELO_BARE_IP: the HELO name is an IP address without the brackets of an address literal. */
        @WithDefault("2.0")
        double heloBareIp();

        /** POLICY_ERROR: a rule failed; the message is held for a person to look at rather than guessed about. */
        @WithDefault("1000")
        double policyError();
    }
}
