package org.mailgateway.ingress.access;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts open connections in total and per client IP across all event loops. {@link #tryAcquire} either
 * takes a slot (to be given back with {@link #release}) or says which limit was hit.
 */
public final class ConnectionLimiter {

    public enum Outcome { ACQUIRED, TOTAL_LIMIT, PER_IP_LIMIT }

    private final int maxTotal;
    private final int maxPerIp;
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<String, AtomicInteger> perIp = new ConcurrentHashMap<>();

    public ConnectionLimiter(int maxTotal, int maxPerIp) {
        this.maxTotal = maxTotal;
        this.maxPerIp = maxPerIp;
    }

    /** @param exempt the client is trusted: only the total limit applies */
    public Outcome tryAcquire(String clientIp, boolean exempt) {
        if (total.incrementAndGet() > maxTotal) {
            total.decrementAndGet();
            return Outcome.TOTAL_LIMIT;
        }
        AtomicInteger mine = perIp.compute(clientIp, (ip, count) -> {
            AtomicInteger c = count == null ? new AtomicInteger() : count;
            c.incrementAndGet();
            return c;
        });
        if (!exempt && mine.get() > maxPerIp) {
            release(clientIp);
            return Outcome.PER_IP_LIMIT;
        }
        return Outcome.ACQUIRED;
    }

    public void release(String clientIp) {
        total.decrementAndGet();
        perIp.computeIfPresent(clientIp, (ip, count) -> count.decrementAndGet() == 0 ? null : count);
    }

    public int total() {
        return total.get();
    }

    public int forIp(String clientIp) {
        AtomicInteger count = perIp.get(clientIp);
        return count == null ? 0 : count.get();
    }
}
