package org.mailgateway.policy.behaviour;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mailgateway.contracts.SessionSummary;

/**
 * Not a test: a measurement that prints the heap the windows of one million distinct client IPs take, each seen in
 * one session with one HELO name and one relay attempt (a flood of distinct spam sources). Run it on purpose:
 * {@code ./mvnw -pl policy-service -am test -Dtest=BehaviourStoreMemoryMeasurement -Dsurefire.failIfNoSpecifiedTests=false}
 * (its name ends in neither Test nor IT, so the normal test run leaves it out).
 */
class BehaviourStoreMemoryMeasurement {

    @Test
    void heapForOneMillionDistinctIps() {
        int ips = 1_000_000;
        Instant t0 = Instant.parse("2026-11-28T10:00:00Z");
        long before = usedHeapAfterGc();
        BehaviourStore store = new BehaviourStore(Duration.ofMinutes(10), ips, 256);
        for (int i = 0; i < ips; i++) {
            String ip = "10." + ((i >> 16) & 0xff) + "." + ((i >> 8) & 0xff) + "." + (i & 0xff);
            SessionSummary session = new SessionSummary("01JDQ3W6Z7K3M8N9P0Q1R2S3T4", "m", ip, t0, t0.plusMillis(i),
                    List.of("host-" + i + ".example"), null, null, List.of(), 0, 0, 0, 0, 1, 100, SessionSummary.End.QUIT);
            store.record(i % 6, session);
        }
        long after = usedHeapAfterGc();
        System.out.printf("BehaviourStore: %,d IPs (one session, one HELO name, one relay attempt each) take %,d bytes of heap"
                + " = %.0f MiB, %.0f bytes per IP (java %s, %s)%n", store.size(), after - before, (after - before) / 1048576.0,
                (after - before) / (double) store.size(), System.getProperty("java.version"),
                ManagementFactory.getRuntimeMXBean().getInputArguments().stream().filter(a -> a.startsWith("-XX:+Use")).toList());
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }
}
