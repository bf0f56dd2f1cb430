package org.mailgateway.ingress.access;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ConnectionLimiterTest {

    @Test
    void perIpAndTotalLimitsAndTheirRelease() {
        ConnectionLimiter limiter = new ConnectionLimiter(4, 2);

        assertEquals(ConnectionLimiter.Outcome.ACQUIRED, limiter.tryAcquire("192.0.2.1", false));
        assertEquals(ConnectionLimiter.Outcome.ACQUIRED, limiter.tryAcquire("192.0.2.1", false));
        assertEquals(ConnectionLimiter.Outcome.PER_IP_LIMIT, limiter.tryAcquire("192.0.2.1", false));
        assertEquals(ConnectionLimiter.Outcome.ACQUIRED, limiter.tryAcquire("192.0.2.1", true)); // trusted: exempt
        assertEquals(ConnectionLimiter.Outcome.ACQUIRED, limiter.tryAcquire("192.0.2.2", false));
        assertEquals(ConnectionLimiter.Outcome.TOTAL_LIMIT, limiter.tryAcquire("192.0.2.3", false));
        assertEquals(4, limiter.total());

        limiter.release("192.0.2.1");
        limiter.release("192.0.2.1");
        assertEquals(1, limiter.forIp("192.0.2.1"));
        assertEquals(ConnectionLimiter.Outcome.ACQUIRED, limiter.tryAcquire("192.0.2.3", false));
        limiter.release("192.0.2.2");
        assertEquals(0, limiter.forIp("192.0.2.2"));
    }
}
