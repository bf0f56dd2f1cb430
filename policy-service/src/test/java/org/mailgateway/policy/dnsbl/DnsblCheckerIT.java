package org.mailgateway.policy.dnsbl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The checker alone, on a real Vert.x and real UDP servers: rbldnsd, and one that never answers. */
class DnsblCheckerIT {

    private static Vertx vertx;
    private static org.mailgateway.localstack.testing.Rbldnsd rbldnsd;
    private static SilentDnsServer silent;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        rbldnsd = Rbldnsd.start();
        silent = new SilentDnsServer();
    }

    @AfterAll
    static void stop() throws Exception {
        rbldnsd.close();
        silent.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** @param timeout generous for rbldnsd (a first lookup on a loaded machine may be slow), short for the silent server */
    private static DnsblChecker checker(int port, Duration timeout, int suspendAfter, SimpleMeterRegistry registry) {
        return new DnsblChecker(vertx, List.of(DnsblZone.parse("bl.test=4:127.0.0.2-127.0.0.11"), DnsblZone.parse("wl.test=-3")),
                List.of("127.0.0.1:" + port), new DnsblChecker.Limits(timeout, 16, Duration.ofMinutes(5),
                        Duration.ofMinutes(1), 1000, suspendAfter, Duration.ofMinutes(5)), registry);
    }

    private static List<DnsblListing> check(DnsblChecker checker, String ip) throws Exception {
        return checker.check(ip).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static double count(SimpleMeterRegistry registry, String zone, String outcome) {
        var counter = registry.find("gateway.policy.dnsbl.lookups").tag("zone", zone).tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void everyZoneIsAskedAndAnswersAreCachedListedOrNot() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        DnsblChecker checker = checker(rbldnsd.port(), Duration.ofSeconds(20), 5, registry);

        assertEquals(List.of(new DnsblListing("bl.test", 4, List.of("127.0.0.2"))), check(checker, "127.0.0.77"));
        assertEquals(List.of(new DnsblListing("bl.test", 4, List.of("127.0.0.2"))), check(checker, "127.0.0.77"));
        assertEquals(List.of(), check(checker, "198.51.100.99"));
        assertEquals(List.of(), check(checker, "198.51.100.99"));

        String all = registry.getMeters().stream().map(m -> m.getId().getTags() + "=" + m.measure().iterator().next().getValue())
                .toList().toString();
        assertEquals(1, count(registry, "bl.test", "listed"), all);
        assertEquals(1, count(registry, "bl.test", "not_listed"), all);
        assertEquals(2, count(registry, "bl.test", "cached"), all);
        assertEquals(2, count(registry, "wl.test", "not_listed"), all);
        assertEquals(2, count(registry, "wl.test", "cached"), all);
    }

    @Test
    void aServerThatNeverAnswersTimesOutScoresNothingAndIsSuspendedAfterRepeatedTimeouts() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        DnsblChecker checker = checker(silent.port(), Duration.ofMillis(500), 3, registry);

        for (int i = 1; i <= 5; i++) {
            assertEquals(List.of(), check(checker, "198.51.100." + i));
        }

        assertEquals(3, count(registry, "bl.test", "timeout"));
        assertEquals(2, count(registry, "bl.test", "suspended"));
        assertEquals(0, count(registry, "bl.test", "cached"), "a timeout is not an answer and is not cached");
    }
}
