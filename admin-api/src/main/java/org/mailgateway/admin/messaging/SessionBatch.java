package org.mailgateway.admin.messaging;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mailgateway.admin.store.SessionActivityStore.HeloRow;
import org.mailgateway.admin.store.SessionActivityStore.HourRow;
import org.mailgateway.contracts.Cidr;
import org.mailgateway.contracts.SessionSummary;

/**
 * Adds up a batch of session summaries per client address and hour, and per client address and HELO name, so
 * that a batch of thousands of sessions becomes a few upserted rows. A HELO name is counted once per session
 * however often the session repeated it; names are cut to {@value #MAX_HELO} characters.
 */
public final class SessionBatch {

    static final int MAX_HELO = 255;

    private record HourKey(String ip, Instant hour) {
    }

    private record HeloKey(String ip, String name) {
    }

    private final Map<HourKey, HourRow> hours = new LinkedHashMap<>();
    private final Map<HeloKey, HeloRow> helos = new LinkedHashMap<>();
    private int sessions;

    /** Adds one session; false (nothing added) when its client address is not an IP address literal. */
    public boolean add(SessionSummary s) {
        String ip;
        try {
            ip = InetAddress.getByAddress(Cidr.parseAddress(s.clientIp())).getHostAddress(); // one spelling per address
        } catch (IllegalArgumentException | UnknownHostException e) {
            return false;
        }
        sessions++;
        HourKey key = new HourKey(ip, s.connectedAt().truncatedTo(ChronoUnit.HOURS));
        // a summary of refused-at-connect sessions may stand for many (SessionSummary.sessions)
        int blocked = s.end() == SessionSummary.End.BLOCKED ? s.sessions() : 0;
        int refused = s.refusals().size() + s.refusalsDropped();
        hours.merge(key, new HourRow(key.ip(), key.hour(), s.sessions(), blocked, s.relayAttempts(), s.auth().failures(), refused,
                s.messagesAccepted(), s.connectedAt(), s.endedAt()), SessionBatch::sum);
        for (String name : s.distinctHeloNames()) {
            String cut = name.length() > MAX_HELO ? name.substring(0, MAX_HELO) : name;
            HeloKey h = new HeloKey(ip, cut);
            helos.merge(h, new HeloRow(h.ip(), h.name(), 1, s.connectedAt(), s.endedAt()), SessionBatch::sum);
        }
        return true;
    }

    public int sessions() {
        return sessions;
    }

    public List<HourRow> hours() {
        return new ArrayList<>(hours.values());
    }

    public List<HeloRow> helos() {
        return new ArrayList<>(helos.values());
    }

    private static HourRow sum(HourRow a, HourRow b) {
        return new HourRow(a.ip(), a.hour(), a.sessions() + b.sessions(), a.blockedSessions() + b.blockedSessions(),
                a.relayAttempts() + b.relayAttempts(), a.authFailures() + b.authFailures(),
                a.refusedCommands() + b.refusedCommands(), a.messagesAccepted() + b.messagesAccepted(),
                min(a.firstSeen(), b.firstSeen()), max(a.lastSeen(), b.lastSeen()));
    }

    private static HeloRow sum(HeloRow a, HeloRow b) {
        return new HeloRow(a.ip(), a.heloName(), a.sessions() + b.sessions(), min(a.firstSeen(), b.firstSeen()),
                max(a.lastSeen(), b.lastSeen()));
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
