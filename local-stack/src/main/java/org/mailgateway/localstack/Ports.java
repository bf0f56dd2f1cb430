package org.mailgateway.localstack;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/** Free loopback ports for tests, which must never collide with a running local stack. */
public final class Ports {

    /** Below Linux's ephemeral range (32768–60999), so no outgoing connection is given one of these ports. */
    private static final int FIXED_RANGE_START = 20000;
    private static final int FIXED_RANGE_END = 32000;
    private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

    private Ports() {
    }

    /**
     * A port that is free now, outside the kernel's ephemeral range and not handed out before by this JVM. A port the
     * kernel picks for {@code bind(0)} comes from the ephemeral range, so any outgoing connection may take it before
     * the service meant to listen there binds it, or rebinds it after a restart (FaultsIT's restarted services
     * failed to start that way).
     */
    public static int free() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = random.nextInt(FIXED_RANGE_START, FIXED_RANGE_END);
            if (allFree(port, 1, 1) && GIVEN.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port between " + FIXED_RANGE_START + " and " + FIXED_RANGE_END);
    }

    /**
     * A port {@code p} such that {@code p}, {@code p + step}, … ({@code count} ports) are all free now and lie
     * outside the kernel's ephemeral range. For a launcher that derives the ports of further instances from the
     * first one: a port from {@link #free()} plus an offset can be taken meanwhile by any outgoing connection.
     */
    public static int freeSeries(int count, int step) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 1000; attempt++) {
            int first = random.nextInt(FIXED_RANGE_START, FIXED_RANGE_END - count * step);
            if (allFree(first, count, step)) {
                for (int k = 0; k < count; k++) {
                    GIVEN.add(first + k * step);
                }
                return first;
            }
        }
        throw new IllegalStateException("no series of " + count + " free ports " + step + " apart");
    }

    /** Not handed out before by this JVM (its service may not have bound it yet) and free to bind now. */
    private static boolean allFree(int first, int count, int step) {
        for (int k = 0; k < count; k++) {
            if (GIVEN.contains(first + k * step)) {
                return false;
            }
            try (ServerSocket socket = new ServerSocket(first + k * step, 1, InetAddress.getLoopbackAddress())) {
                socket.setReuseAddress(true);
            } catch (IOException taken) {
                return false;
            }
        }
        return true;
    }
}
