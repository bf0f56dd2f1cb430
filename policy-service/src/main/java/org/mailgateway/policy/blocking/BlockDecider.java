package org.mailgateway.policy.blocking;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.mailgateway.contracts.BlockEntry;
import org.mailgateway.contracts.Cidr;
import org.mailgateway.contracts.RuleHit;
import org.mailgateway.policy.behaviour.IpActivity;
import org.mailgateway.policy.rules.BehaviourRule;
import org.mailgateway.policy.rules.Durations;

/**
 * Decides when a client IP's behaviour earns a block at the door, and for how long. Every decision, also a
 * decision not to block, is logged with the rule and the numbers; the entry carries the same hits and sentences.
 *
 * <ul>
 *   <li>One address at a time: the entry is the client's /32 (/128).</li>
 *   <li>Repeat offenders: the n-th block within {@code offence-memory} lasts {@code first-expiry × escalation^(n-1)},
 *       at most {@code max-expiry}. Entries expire by their {@code expiresAt}; no tombstone is sent, the expired
 *       entry stays on the compacted topic as the record the next offence escalates from.</li>
 *   <li>A range (/24, IPv6 /64) only when {@code range-addresses} of its addresses were blocked within
 *       {@code range-look-back}, no mail from it was delivered in that time, and no allowed address lies inside.</li>
 *   <li>Never an allowed address: one inside {@code allow-networks} or inside an active ALLOW entry.</li>
 * </ul>
 */
public final class BlockDecider {

    private static final Logger LOG = Logger.getLogger(BlockDecider.class);
    public static final String RANGE_RULE = "RANGE_BLOCK";

    /** Block thresholds and times, as configured. */
    public record Settings(boolean enabled, Duration firstExpiry, int escalation, Duration maxExpiry, Duration offenceMemory,
            int rangeAddresses, Duration rangeLookBack, Duration maxRecordAge) {
    }

    private final List<BehaviourRule> triggers;
    private final Settings settings;
    private final Networks allowNetworks;
    private final BlocklistView view;
    private final DeliveryLog deliveries;
    private final Clock clock;
    private final String instance;

    public BlockDecider(List<BehaviourRule> triggers, Settings settings, Networks allowNetworks, BlocklistView view,
            DeliveryLog deliveries, Clock clock, String instance) {
        this.triggers = List.copyOf(triggers);
        this.settings = settings;
        this.allowNetworks = allowNetworks;
        this.view = view;
        this.deliveries = deliveries;
        this.clock = clock;
        this.instance = instance;
    }

    /**
     * The entries to publish after a record of {@code activity}'s IP that happened at {@code recordTime}: none,
     * the address, or the address and its range. The entries are applied to the view at once.
     */
    public List<BlockEntry> decide(IpActivity activity, Instant recordTime) {
        if (!settings.enabled()) {
            return List.of();
        }
        List<RuleHit> hits = triggers.stream().flatMap(rule -> rule.evaluate(activity).stream()).toList();
        if (hits.isEmpty()) {
            return List.of();
        }
        Instant now = clock.instant();
        String ip = activity.ip();
        InetAddress address = Networks.address(ip);
        String numbers = hits.stream().map(RuleHit::reason).collect(Collectors.joining("; "));
        if (address == null) {
            LOG.warnf("block decision: not blocking '%s', not an IP address (%s)", ip, numbers);
            return List.of();
        }
        if (recordTime.isBefore(now.minus(settings.maxRecordAge()))) {
            LOG.infof("block decision: not blocking %s, the record is from %s, older than %s (%s)", ip, recordTime,
                    Durations.words(settings.maxRecordAge()), numbers);
            return List.of();
        }
        Optional<Cidr> allowedByConfig = allowNetworks.find(ip);
        Optional<BlockEntry> allowedByEntry = view.allowing(address, now);
        if (allowedByConfig.isPresent() || allowedByEntry.isPresent()) {
            LOG.infof("block decision: not blocking %s, it is allowed by %s (%s)", ip,
                    allowedByConfig.map(c -> "allow-networks " + c).orElseGet(() -> "allow entry " + allowedByEntry.get().cidr()), numbers);
            return List.of();
        }
        Optional<BlockEntry> existing = view.blocking(address, now);
        if (existing.isPresent()) {
            LOG.debugf("block decision: %s is already blocked by %s until %s", ip, existing.get().cidr(), existing.get().expiresAt());
            return List.of();
        }
        Cidr single = Cidr.around(address, address.getAddress().length * 8);
        BlockEntry entry = entry(single, numbers, hits, now);
        view.apply(entry.cidr(), entry);
        LOG.infof("block decision: BLOCK %s until %s (offence %d) rules=%s: %s", entry.cidr(), entry.expiresAt(), entry.offence(),
                hits.stream().map(RuleHit::rule).toList(), numbers);
        List<BlockEntry> out = new ArrayList<>(List.of(entry));
        rangeBlock(address, now).ifPresent(out::add);
        return out;
    }

    /** Takes back an entry that could not be published (unless the view holds a newer one for its CIDR). */
    public void withdraw(BlockEntry entry) {
        view.remove(entry);
    }

    private Optional<BlockEntry> rangeBlock(InetAddress address, Instant now) {
        if (settings.rangeAddresses() <= 0) {
            return Optional.empty();
        }
        Cidr range = DeliveryLog.rangeOf(address);
        Instant since = now.minus(settings.rangeLookBack());
        List<String> blocked = view.policyBlockedAddressesIn(range, since);
        if (blocked.size() < settings.rangeAddresses()) {
            return Optional.empty();
        }
        String evidence = blocked.size() + " addresses of " + range + " were blocked in " + Durations.words(settings.rangeLookBack())
                + " (" + String.join(", ", blocked) + ")";
        Optional<Instant> delivered = deliveries.lastDelivered(range).filter(at -> !at.isBefore(since));
        if (delivered.isPresent()) {
            LOG.infof("block decision: not blocking range %s, mail from it was delivered at %s; %s", range, delivered.get(), evidence);
            return Optional.empty();
        }
        Optional<Cidr> allowedByConfig = allowNetworks.overlapping(range);
        List<BlockEntry> allowEntries = view.allowsOverlapping(range, now);
        if (allowedByConfig.isPresent() || !allowEntries.isEmpty()) {
            LOG.infof("block decision: not blocking range %s, allowed addresses lie inside (%s); %s", range,
                    allowedByConfig.map(Cidr::toString).orElseGet(() -> allowEntries.get(0).cidr()), evidence);
            return Optional.empty();
        }
        if (view.blocking(address, now).filter(e -> e.cidr().equals(range.toString())).isPresent()) {
            return Optional.empty();
        }
        String sentence = evidence + " and no mail from it was delivered in that time";
        BlockEntry entry = entry(range, sentence, List.of(new RuleHit(RANGE_RULE, 0, sentence)), now);
        view.apply(entry.cidr(), entry);
        LOG.infof("block decision: BLOCK range %s until %s (offence %d) rule=%s: %s", entry.cidr(), entry.expiresAt(),
                entry.offence(), RANGE_RULE, sentence);
        return Optional.of(entry);
    }

    private BlockEntry entry(Cidr cidr, String reason, List<RuleHit> hits, Instant now) {
        int offence = view.entry(cidr)
                .filter(e -> e.source() == BlockEntry.Source.POLICY && e.kind() == BlockEntry.Kind.BLOCK)
                .filter(e -> !e.createdAt().isBefore(now.minus(settings.offenceMemory())))
                .map(e -> e.offence() + 1)
                .orElse(1);
        return new BlockEntry(cidr.toString(), BlockEntry.Kind.BLOCK, BlockEntry.Source.POLICY, reason, hits, now,
                now.plus(expiry(offence)), offence, instance);
    }

    /** How long the {@code offence}-th block lasts. */
    Duration expiry(int offence) {
        Duration d = settings.firstExpiry();
        for (int i = 1; i < offence && d.compareTo(settings.maxExpiry()) < 0; i++) {
            d = d.multipliedBy(Math.max(1, settings.escalation()));
        }
        return d.compareTo(settings.maxExpiry()) > 0 ? settings.maxExpiry() : d;
    }
}
