package org.mailgateway.policy.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.time.Clock;
import java.util.List;
import org.mailgateway.policy.behaviour.BehaviourStore;
import org.mailgateway.policy.blocking.BlockDecider;
import org.mailgateway.policy.blocking.BlocklistView;
import org.mailgateway.policy.blocking.DeliveryLog;
import org.mailgateway.policy.blocking.Networks;
import org.mailgateway.policy.dnsbl.DnsblChecker;
import org.mailgateway.policy.dnsbl.DnsblZone;
import org.mailgateway.policy.rules.BehaviourRule;
import org.mailgateway.policy.rules.BehaviourRule.Measure;
import org.mailgateway.policy.rules.DnsblRule;
import org.mailgateway.policy.rules.GtubeRule;
import org.mailgateway.policy.rules.HeloSyntaxRule;
import org.mailgateway.policy.rules.RuleChain;
import org.mailgateway.policy.rules.StaticNetworksRule;

/** Builds the service's parts from {@link PolicyConfig}: the rule chain, the windows, the DNS checker, the block decider. */
@ApplicationScoped
public class PolicyComponents {

    private final PolicyConfig config;

    public PolicyComponents(PolicyConfig config) {
        this.config = config;
    }

    @Produces
    @ApplicationScoped
    RuleChain ruleChain() {
        PolicyConfig.Policy policy = config.policy();
        PolicyConfig.Scores scores = policy.scores();
        PolicyConfig.Thresholds limits = policy.thresholds();
        return new RuleChain(List.of(
                new StaticNetworksRule(Networks.parse(policy.allowNetworks()), Networks.parse(policy.blockNetworks()),
                        scores.staticAllow(), scores.staticBlock()),
                new GtubeRule(scores.gtube()),
                new HeloSyntaxRule(scores.heloNotFqdn(), scores.heloBareIp(), policy.ownNames().orElse(List.of()),
                        Networks.parse(policy.ownAddresses()), scores.heloOwnName()),
                new BehaviourRule(Measure.HELO_ROTATION, limits.heloNames(), scores.heloRotation()),
                new BehaviourRule(Measure.RELAY_ATTEMPTS, limits.relayAttempts(), scores.relayAttempts()),
                new BehaviourRule(Measure.MESSAGE_RATE, limits.messages(), scores.messageRate()),
                new BehaviourRule(Measure.RECIPIENT_RATE, limits.recipients(), scores.recipientRate()),
                new BehaviourRule(Measure.SESSIONS_WITHOUT_MAIL, limits.sessionsWithoutMail(), scores.sessionsWithoutMail()),
                new BehaviourRule(Measure.AUTH_FAILURES, limits.authFailures(), scores.authFailures()),
                new DnsblRule()),
                policy.quarantineThreshold(), scores.policyError(), Clock.systemUTC());
    }

    @Produces
    @ApplicationScoped
    BehaviourStore behaviourStore() {
        PolicyConfig.Window window = config.policy().window();
        return new BehaviourStore(window.length(), window.maxIps(), window.maxEventsPerIp());
    }

    @Produces
    @ApplicationScoped
    BlocklistView blocklistView() {
        return new BlocklistView();
    }

    @Produces
    @ApplicationScoped
    DeliveryLog deliveryLog() {
        return new DeliveryLog(config.policy().window().maxIps());
    }

    @Produces
    @ApplicationScoped
    BlockDecider blockDecider(BlocklistView view, DeliveryLog deliveries) {
        PolicyConfig.Block block = config.policy().block();
        // a rule whose block threshold is 0 never blocks; its score is irrelevant here, only its sentence is used
        List<BehaviourRule> triggers = List.of(
                new BehaviourRule(Measure.RELAY_ATTEMPTS, block.relayAttempts(), 1),
                new BehaviourRule(Measure.HELO_ROTATION, block.heloNames(), 1),
                new BehaviourRule(Measure.AUTH_FAILURES, block.authFailures(), 1),
                new BehaviourRule(Measure.SESSIONS_WITHOUT_MAIL, block.sessionsWithoutMail(), 1));
        BlockDecider.Settings settings = new BlockDecider.Settings(block.enabled(), block.firstExpiry(), block.escalation(),
                block.maxExpiry(), block.offenceMemory(), block.rangeAddresses(), block.rangeLookBack(), block.maxRecordAge());
        return new BlockDecider(triggers, settings, Networks.parse(config.policy().allowNetworks()), view, deliveries,
                Clock.systemUTC(), instanceName());
    }

    /** The pod name in Kubernetes (HOSTNAME), the process id elsewhere: who made an automatic block entry. */
    static String instanceName() {
        String host = System.getenv("HOSTNAME");
        return "policy-service@" + (host == null || host.isBlank() ? "pid-" + ProcessHandle.current().pid() : host);
    }

    @Produces
    @ApplicationScoped
    DnsblChecker dnsblChecker(Vertx vertx, MeterRegistry registry) {
        PolicyConfig.Dnsbl dnsbl = config.dnsbl();
        List<DnsblZone> zones = dnsbl.zones().orElse(List.of()).stream().map(String::trim).filter(s -> !s.isEmpty())
                .map(DnsblZone::parse).toList();
        return new DnsblChecker(vertx, zones, config.dns().servers().orElse(List.of()), new DnsblChecker.Limits(dnsbl.timeout(),
                dnsbl.maxInFlight(), dnsbl.cacheTtl(), dnsbl.negativeCacheTtl(), dnsbl.cacheSize(), dnsbl.suspendAfter(),
                dnsbl.suspendFor()), registry);
    }
}
