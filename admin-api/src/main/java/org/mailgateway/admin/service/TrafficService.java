package org.mailgateway.admin.service;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.mailgateway.admin.rest.ProblemException;
import org.mailgateway.admin.store.TrafficStore;

/** Mail per hour by verdict, for the console's charts. */
@ApplicationScoped
public class TrafficService {

    static final int MAX_HOURS = 24 * 14;

    private final TrafficStore store;
    private final Clock clock = Clock.systemUTC();

    public TrafficService(TrafficStore store) {
        this.store = store;
    }

    /**
     * The messages received in one hour (UTC) by verdict: {@code delivered} (DELIVER), {@code quarantined} (still in
     * quarantine) and {@code released} (quarantined, then released by an operator).
     */
    public record Hour(Instant hour, long delivered, long quarantined, long released) {
        public long total() {
            return delivered + quarantined + released;
        }
    }

    /** The last {@code hours} hours, the current one included, oldest first; an hour without mail is all zero. */
    public Uni<List<Hour>> perHour(int hours) {
        if (hours < 1 || hours > MAX_HOURS) {
            throw ProblemException.badRequest("hours: between 1 and " + MAX_HOURS);
        }
        Instant first = clock.instant().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(hours - 1L));
        return store.perHour(first).map(rows -> fill(first, hours, rows));
    }

    static List<Hour> fill(Instant first, int hours, List<TrafficStore.HourCount> rows) {
        Map<Instant, long[]> counts = new HashMap<>();
        for (TrafficStore.HourCount row : rows) {
            long[] c = counts.computeIfAbsent(row.hour(), h -> new long[3]);
            switch (row.action()) {
                case "DELIVER" -> c[0] += row.messages();
                case "QUARANTINE" -> c[1] += row.messages();
                case "RELEASED" -> c[2] += row.messages();
                default -> throw new IllegalStateException("unknown action in the mail store: " + row.action());
            }
        }
        List<Hour> out = new ArrayList<>(hours);
        for (int i = 0; i < hours; i++) {
            Instant hour = first.plus(Duration.ofHours(i));
            long[] c = counts.getOrDefault(hour, new long[3]);
            out.add(new Hour(hour, c[0], c[1], c[2]));
        }
        return out;
    }
}
