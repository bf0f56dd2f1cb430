package org.mailgateway.policy.behaviour;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.mailgateway.contracts.Envelope;
import org.mailgateway.contracts.SessionSummary;

/**
 * The sliding windows of every client IP whose records this instance reads. Both input topics are keyed by
 * client IP, so all of one IP's records reach the same instance and its windows need no shared cache.
 *
 * <p>Bounded: at most {@code maxIps} IPs (the least recently seen one is forgotten first) and at most
 * {@code maxEventsPerIp} events per IP. State is dropped per partition when the partition is revoked: the new
 * owner starts that IP's window empty, so a rebalance forgets at most one window length of history.
 */
public final class BehaviourStore {

    private final Duration window;
    private final int maxEventsPerIp;
    private final LinkedHashMap<String, IpWindow> windows;

    public BehaviourStore(Duration window, int maxIps, int maxEventsPerIp) {
        this.window = window;
        this.maxEventsPerIp = maxEventsPerIp;
        this.windows = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, IpWindow> eldest) {
                return size() > maxIps;
            }
        };
    }

    public Duration window() {
        return window;
    }

    /** Counts one ended session and returns what its IP did within the window. Refused-at-connect sessions only read. */
    public synchronized IpActivity record(int partition, SessionSummary session) {
        String latest = session.heloNames().isEmpty() ? null : session.heloNames().get(session.heloNames().size() - 1);
        IpWindow ip = windowOf(partition, session.clientIp());
        if (session.end() != SessionSummary.End.BLOCKED) {
            Instant at = session.endedAt();
            boolean noMail = session.messagesAccepted() == 0 && session.messagesRefused() == 0;
            ip.add(at, IpWindow.Kind.SESSION, noMail ? 1 : 0, maxEventsPerIp);
            if (session.relayAttempts() > 0) {
                ip.add(at, IpWindow.Kind.RELAY, IpWindow.clamp(session.relayAttempts()), maxEventsPerIp);
            }
            if (session.auth().failures() > 0) {
                ip.add(at, IpWindow.Kind.AUTH_FAILURE, IpWindow.clamp(session.auth().failures()), maxEventsPerIp);
            }
            for (String helo : session.distinctHeloNames()) {
                ip.add(at, IpWindow.Kind.HELO, IpWindow.heloHash(helo), maxEventsPerIp);
            }
        }
        return ip.count(session.clientIp(), session.endedAt(), window, latest);
    }

    /** Counts one accepted message and returns what its IP did within the window (this message included). */
    public synchronized IpActivity record(int partition, Envelope envelope) {
        IpWindow ip = windowOf(partition, envelope.clientIp());
        Instant at = envelope.receivedAt();
        ip.add(at, IpWindow.Kind.MESSAGE, IpWindow.clamp(envelope.recipients().size()), maxEventsPerIp);
        if (envelope.heloName() != null && !envelope.heloName().isEmpty()) {
            ip.add(at, IpWindow.Kind.HELO, IpWindow.heloHash(envelope.heloName()), maxEventsPerIp);
        }
        return ip.count(envelope.clientIp(), at, window, envelope.heloName());
    }

    /** Forgets every IP whose records come from one of {@code partitions} (they were revoked). Returns how many. */
    public synchronized int forgetPartitions(Collection<Integer> partitions) {
        Set<Integer> gone = Set.copyOf(partitions);
        int before = windows.size();
        windows.values().removeIf(w -> gone.contains(w.partition));
        return before - windows.size();
    }

    public synchronized int size() {
        return windows.size();
    }

    private IpWindow windowOf(int partition, String ip) {
        IpWindow existing = windows.get(ip);
        if (existing == null || existing.partition != partition) {
            existing = new IpWindow(partition);
            windows.put(ip, existing);
        }
        return existing;
    }
}
