package org.mailgateway.admin.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mailgateway.admin.store.SessionActivityStore.HeloRow;
import org.mailgateway.admin.store.SessionActivityStore.HourRow;
import org.mailgateway.contracts.SessionSummary;
import org.mailgateway.contracts.SessionSummary.Auth;
import org.mailgateway.contracts.SessionSummary.End;
import org.mailgateway.contracts.SessionSummary.Refusal;
import org.mailgateway.contracts.SessionSummary.RefusalKind;

/** A batch of sessions becomes one row per client and hour, and one per client and HELO name. */
class SessionBatchTest {

    static SessionSummary session(String ip, String at, List<String> helos, int relay, int authFailures, End end) {
        Instant start = Instant.parse(at);
        List<Refusal> refusals = java.util.stream.IntStream.range(0, relay)
                .mapToObj(i -> new Refusal("RCPT", "<x@elsewhere.example>", 554, "5.7.1", RefusalKind.RELAY)).toList();
        return new SessionSummary("S" + at, "ingress-1", ip, start, start.plusSeconds(3), helos, null,
                new Auth(authFailures, authFailures, false, null), refusals, 0, end == End.QUIT ? 1 : 0, 0, 1, relay, 100, end);
    }

    @Test
    void sessionsOfOneClientAndHourAddUp() {
        SessionBatch batch = new SessionBatch();
        batch.add(session("192.0.2.7", "2026-11-28T10:05:00Z", List.of("love-1.example", "love-1.example"), 3, 0, End.QUIT));
        batch.add(session("192.0.2.7", "2026-11-28T10:55:00Z", List.of("love-2.example"), 2, 1, End.TOO_MANY_ERRORS));
        batch.add(session("192.0.2.7", "2026-11-28T11:01:00Z", List.of("love-1.example"), 0, 0, End.BLOCKED));
        batch.add(session("2001:db8::1", "2026-11-28T10:10:00Z", List.of(), 0, 0, End.QUIT));

        assertEquals(4, batch.sessions());
        assertEquals(List.of(
                new HourRow("192.0.2.7", Instant.parse("2026-11-28T10:00:00Z"), 2, 0, 5, 1, 5, 1,
                        Instant.parse("2026-11-28T10:05:00Z"), Instant.parse("2026-11-28T10:55:03Z")),
                new HourRow("192.0.2.7", Instant.parse("2026-11-28T11:00:00Z"), 1, 1, 0, 0, 0, 0,
                        Instant.parse("2026-11-28T11:01:00Z"), Instant.parse("2026-11-28T11:01:03Z")),
                new HourRow("2001:db8:0:0:0:0:0:1", Instant.parse("2026-11-28T10:00:00Z"), 1, 0, 0, 0, 0, 1,
                        Instant.parse("2026-11-28T10:10:00Z"), Instant.parse("2026-11-28T10:10:03Z"))),
                batch.hours());
        // a name repeated within one session counts once
        assertEquals(List.of(
                new HeloRow("192.0.2.7", "love-1.example", 2, Instant.parse("2026-11-28T10:05:00Z"), Instant.parse("2026-11-28T11:01:03Z")),
                new HeloRow("192.0.2.7", "love-2.example", 1, Instant.parse("2026-11-28T10:55:00Z"), Instant.parse("2026-11-28T10:55:03Z"))),
                batch.helos());
    }

    @Test
    void aSummaryOfCollapsedRefusedSessionsCountsEachOfThem() {
        SessionBatch batch = new SessionBatch();
        SessionSummary first = session("192.0.2.8", "2026-11-28T12:00:00Z", List.of(), 0, 0, End.BLOCKED);
        batch.add(first);
        batch.add(first.collapsed(250, Instant.parse("2026-11-28T12:00:01Z")));

        assertEquals(List.of(new HourRow("192.0.2.8", Instant.parse("2026-11-28T12:00:00Z"), 251, 251, 0, 0, 0, 0,
                Instant.parse("2026-11-28T12:00:00Z"), Instant.parse("2026-11-28T12:00:03Z"))), batch.hours());
    }

    @Test
    void twoSpellingsOfOneAddressAreOneClient() {
        SessionBatch batch = new SessionBatch();
        batch.add(session("2001:db8::1", "2026-11-28T10:10:00Z", List.of("a.example"), 0, 0, End.QUIT));
        batch.add(session("2001:DB8:0::1", "2026-11-28T10:20:00Z", List.of("a.example"), 0, 0, End.QUIT));

        assertEquals(1, batch.hours().size());
        assertEquals(2, batch.hours().get(0).sessions());
        assertEquals(1, batch.helos().size());
    }

    @Test
    void aSessionWithoutAnAddressLiteralIsNotCounted() {
        SessionBatch batch = new SessionBatch();
        assertFalse(batch.add(session("unknown", "2026-11-28T10:10:00Z", List.of(), 0, 0, End.ERROR)));
        assertEquals(0, batch.sessions());
    }

    @Test
    void longHeloNamesAreCut() {
        SessionBatch batch = new SessionBatch();
        batch.add(session("192.0.2.9", "2026-11-28T10:10:00Z", List.of("x".repeat(1000)), 0, 0, End.QUIT));
        assertEquals(SessionBatch.MAX_HELO, batch.helos().get(0).heloName().length());
    }
}
