package org.mailgateway.policy.behaviour;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;

/**
 * The recent events of one client IP, newest last, packed one per {@code long} so that an IP seen once costs a
 * few dozen bytes: the event time in epoch seconds (high 32 bits), the kind (3 bits) and a value (29 bits).
 * Not thread-safe: {@link BehaviourStore} serialises access.
 */
final class IpWindow {

    enum Kind {
        /** a session ended; value 1 when it sent no message */
        SESSION,
        /** relay recipients refused; value = how many */
        RELAY,
        /** failed AUTH attempts; value = how many */
        AUTH_FAILURE,
        /** an accepted message; value = its recipients */
        MESSAGE,
        /** a HELO name was announced; value = its hash */
        HELO
    }

    private static final int VALUE_BITS = 29;
    private static final long VALUE_MASK = (1L << VALUE_BITS) - 1;
    private static final Kind[] KINDS = Kind.values();

    /** The partition of the input topics this IP's records come from; its state is dropped when that is revoked. */
    final int partition;
    private long[] events = new long[4];
    private int size;

    IpWindow(int partition) {
        this.partition = partition;
    }

    /** Adds an event; the oldest one is dropped when {@code maxEvents} are held already. */
    void add(Instant time, Kind kind, long value, int maxEvents) {
        if (size == maxEvents) {
            System.arraycopy(events, 1, events, 0, size - 1);
            size--;
        }
        if (size == events.length) {
            events = Arrays.copyOf(events, Math.min(maxEvents, events.length * 2));
        }
        events[size++] = (time.getEpochSecond() << 32) | ((long) kind.ordinal() << VALUE_BITS) | (value & VALUE_MASK);
    }

    /** Drops what is older than {@code window} before {@code now}, then counts what remains. */
    IpActivity count(String ip, Instant now, Duration window, String latestHelo) {
        long oldest = now.minus(window).getEpochSecond();
        int kept = 0;
        for (int i = 0; i < size; i++) {
            if ((events[i] >>> 32) >= oldest) {
                events[kept++] = events[i];
            }
        }
        size = kept;
        int sessions = 0;
        int withoutMail = 0;
        int relay = 0;
        int auth = 0;
        int messages = 0;
        int recipients = 0;
        long[] helos = new long[size];
        int heloCount = 0;
        for (int i = 0; i < size; i++) {
            long value = events[i] & VALUE_MASK;
            switch (KINDS[(int) ((events[i] >>> VALUE_BITS) & 7)]) {
                case SESSION -> {
                    sessions++;
                    withoutMail += (int) value;
                }
                case RELAY -> relay += (int) value;
                case AUTH_FAILURE -> auth += (int) value;
                case MESSAGE -> {
                    messages++;
                    recipients += (int) value;
                }
                case HELO -> helos[heloCount++] = value;
            }
        }
        int distinct = (int) Arrays.stream(helos, 0, heloCount).distinct().count();
        return new IpActivity(ip, window, sessions, withoutMail, relay, auth, messages, recipients, distinct, latestHelo);
    }

    boolean isEmpty() {
        return size == 0;
    }

    static long heloHash(String helo) {
        // names differ by case only in how the client typed them; count them once
        return helo.toLowerCase(java.util.Locale.ROOT).hashCode() & VALUE_MASK;
    }

    static long clamp(int count) {
        return Math.max(0, Math.min(count, VALUE_MASK));
    }
}
