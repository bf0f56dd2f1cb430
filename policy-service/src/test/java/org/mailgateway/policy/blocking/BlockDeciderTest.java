package org.mailgateway.policy.blocking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mailgateway.contracts.BlockEntry;
import org.mailgateway.contracts.RuleHit;
import org.mailgateway.policy.behaviour.IpActivity;
import org.mailgateway.policy.rules.BehaviourRule;
import org.mailgateway.policy.rules.BehaviourRule.Measure;

class BlockDeciderTest {

    private static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");
    private static final Duration WINDOW = Duration.ofMinutes(10);
    private static final BlockDecider.Settings SETTINGS = new BlockDecider.Settings(true, Duration.ofHours(1), 4, Duration.ofDays(7),
            Duration.ofDays(30), 3, Duration.ofDays(1), Duration.ofMinutes(10));

    private final BlocklistView view = new BlocklistView();
    private final DeliveryLog deliveries = new DeliveryLog(100);

    private BlockDecider decider(Networks allow, BlockDecider.Settings settings) {
        return new BlockDecider(List.of(new BehaviourRule(Measure.RELAY_ATTEMPTS, 10, 1), new BehaviourRule(Measure.HELO_ROTATION, 10, 1)),
                settings, allow, view, deliveries, Clock.fixed(NOW, ZoneOffset.UTC), "policy-test");
    }

    private BlockDecider decider() {
        return decider(Networks.NONE, SETTINGS);
    }

    /** relay attempts, HELO names, expected rules (empty: no block). */
    @ParameterizedTest(name = "relay {0} helo {1}")
    @CsvSource(delimiter = '|', value = {
        "0  | 0  | ",
        "9  | 9  | ",
        "10 | 0  | RELAY_ATTEMPTS",
        "0  | 12 | HELO_ROTATION",
        "11 | 12 | RELAY_ATTEMPTS HELO_ROTATION",
    })
    void blocksOneAddressWhenAThresholdIsCrossed(int relay, int helos, String rules) {
        List<BlockEntry> entries = decider().decide(activity("203.0.113.7", relay, helos), NOW);

        if (rules == null) {
            assertEquals(List.of(), entries);
            return;
        }
        assertEquals(1, entries.size());
        BlockEntry entry = entries.get(0);
        assertEquals("203.0.113.7/32", entry.cidr());
        assertEquals(BlockEntry.Kind.BLOCK, entry.kind());
        assertEquals(BlockEntry.Source.POLICY, entry.source());
        assertEquals(List.of(rules.split(" ")), entry.hits().stream().map(RuleHit::rule).toList());
        assertEquals(String.join("; ", entry.hits().stream().map(RuleHit::reason).toList()), entry.reason());
        assertEquals(NOW, entry.createdAt());
        assertEquals(NOW.plus(Duration.ofHours(1)), entry.expiresAt());
        assertEquals(1, entry.offence());
        assertEquals("policy-test", entry.createdBy());
    }

    @Test
    void theReasonSaysWhatHappened() {
        BlockEntry entry = decider().decide(activity("203.0.113.7", 0, 14), NOW).get(0);

        assertEquals("client 203.0.113.7 announced 14 different HELO names in 10 minutes (latest: love-14.example)", entry.reason());
    }

    /** previous offence, created how long ago, expected offence, expected block time. */
    @ParameterizedTest(name = "after offence {0} {1} ago")
    @CsvSource(delimiter = '|', value = {
        "1 | PT2H  | 2 | PT4H",
        "2 | PT5H  | 3 | PT16H",
        "3 | P1D   | 4 | PT64H",
        "4 | P3D   | 5 | P7D",      // 256 h is beyond the cap of 7 days
        "9 | P20D  | 10 | P7D",
        "3 | P31D  | 1 | PT1H",     // beyond the offence memory: starts again
    })
    void repeatOffendersAreBlockedLongerUpToTheCap(int previous, Duration ago, int offence, Duration blockTime) {
        Instant then = NOW.minus(ago);
        view.apply("203.0.113.7/32", new BlockEntry("203.0.113.7/32", BlockEntry.Kind.BLOCK, BlockEntry.Source.POLICY, "before",
                List.of(), then, then.plusSeconds(60), previous, "policy-test"));

        BlockEntry entry = decider().decide(activity("203.0.113.7", 10, 0), NOW).get(0);

        assertEquals(offence, entry.offence());
        assertEquals(NOW.plus(blockTime), entry.expiresAt());
    }

    @Test
    void anAddressThatIsAlreadyBlockedIsNotBlockedAgain() {
        assertEquals(1, decider().decide(activity("203.0.113.7", 10, 0), NOW).size());

        assertEquals(List.of(), decider().decide(activity("203.0.113.7", 11, 0), NOW));
    }

    @Test
    void anEntryThatCouldNotBePublishedIsDecidedAgain() {
        BlockEntry first = decider().decide(activity("203.0.113.7", 10, 0), NOW).get(0);

        decider().withdraw(first);

        assertEquals(List.of("203.0.113.7/32"), decider().decide(activity("203.0.113.7", 11, 0), NOW).stream()
                .map(BlockEntry::cidr).toList());
    }

    @Test
    void anAllowedAddressIsNeverBlocked() {
        BlockDecider byConfig = decider(Networks.parse(Optional.of(List.of("203.0.113.0/28"))), SETTINGS);
        assertEquals(List.of(), byConfig.decide(activity("203.0.113.7", 50, 50), NOW));

        view.apply("198.51.100.7/32", new BlockEntry("198.51.100.7/32", BlockEntry.Kind.ALLOW, BlockEntry.Source.ADMIN, "our partner",
                List.of(), NOW.minusSeconds(60), null, 0, "admin"));
        assertEquals(List.of(), decider().decide(activity("198.51.100.7", 50, 50), NOW));
    }

    @Test
    void anOldRecordFeedsTheWindowButBlocksNothing() {
        assertEquals(List.of(), decider().decide(activity("203.0.113.7", 50, 0), NOW.minus(Duration.ofHours(1))));
    }

    @Test
    void switchedOffItBlocksNothing() {
        BlockDecider off = decider(Networks.NONE, new BlockDecider.Settings(false, Duration.ofHours(1), 4, Duration.ofDays(7),
                Duration.ofDays(30), 3, Duration.ofDays(1), Duration.ofMinutes(10)));
        assertEquals(List.of(), off.decide(activity("203.0.113.7", 50, 50), NOW));
    }

    @Test
    void theThirdBlockedAddressOfARangeWithoutDeliveredMailBlocksTheRange() {
        assertEquals(1, decider().decide(activity("203.0.113.7", 10, 0), NOW).size());
        assertEquals(1, decider().decide(activity("203.0.113.8", 10, 0), NOW).size());

        List<BlockEntry> third = decider().decide(activity("203.0.113.9", 10, 0), NOW);

        assertEquals(List.of("203.0.113.9/32", "203.0.113.0/24"), third.stream().map(BlockEntry::cidr).toList());
        BlockEntry range = third.get(1);
        assertEquals(BlockDecider.RANGE_RULE, range.hits().get(0).rule());
        assertEquals("3 addresses of 203.0.113.0/24 were blocked in 1 day (203.0.113.7, 203.0.113.8, 203.0.113.9) and no mail from it"
                + " was delivered in that time", range.reason());
        assertEquals(NOW.plus(Duration.ofHours(1)), range.expiresAt());
    }

    @Test
    void mailDeliveredFromTheRangeVetoesARangeBlock() throws Exception {
        deliveries.delivered(InetAddress.getByName("203.0.113.200"), NOW.minus(Duration.ofHours(3)));
        decider().decide(activity("203.0.113.7", 10, 0), NOW);
        decider().decide(activity("203.0.113.8", 10, 0), NOW);

        assertEquals(List.of("203.0.113.9/32"), decider().decide(activity("203.0.113.9", 10, 0), NOW).stream().map(BlockEntry::cidr).toList());
    }

    @Test
    void mailDeliveredBeforeTheLookBackDoesNotVeto() throws Exception {
        deliveries.delivered(InetAddress.getByName("203.0.113.200"), NOW.minus(Duration.ofDays(2)));
        decider().decide(activity("203.0.113.7", 10, 0), NOW);
        decider().decide(activity("203.0.113.8", 10, 0), NOW);

        assertEquals(2, decider().decide(activity("203.0.113.9", 10, 0), NOW).size());
    }

    @Test
    void anAllowedAddressInsideVetoesARangeBlock() {
        view.apply("203.0.113.100/32", new BlockEntry("203.0.113.100/32", BlockEntry.Kind.ALLOW, BlockEntry.Source.ADMIN, "a customer",
                List.of(), NOW.minusSeconds(60), null, 0, "admin"));
        decider().decide(activity("203.0.113.7", 10, 0), NOW);
        decider().decide(activity("203.0.113.8", 10, 0), NOW);
        assertEquals(1, decider().decide(activity("203.0.113.9", 10, 0), NOW).size());

        BlockDecider configAllow = decider(Networks.parse(Optional.of(List.of("203.0.113.128/25"))), SETTINGS);
        assertEquals(1, configAllow.decide(activity("203.0.113.10", 10, 0), NOW).size());
    }

    @Test
    void ipv6RangesAreSlash64() {
        decider().decide(activity("2001:db8::7", 10, 0), NOW);
        decider().decide(activity("2001:db8::8", 10, 0), NOW);
        List<BlockEntry> third = decider().decide(activity("2001:db8::9", 10, 0), NOW);

        assertEquals(2, third.size());
        assertTrue(third.get(1).cidr().endsWith("/64"), third.get(1).cidr());
        assertEquals("2001:db8:0:0:0:0:0:9/128", third.get(0).cidr());
    }

    static IpActivity activity(String ip, int relay, int helos) {
        return new IpActivity(ip, WINDOW, relay, 0, relay, 0, 0, 0, helos, "love-" + helos + ".example");
    }
}
