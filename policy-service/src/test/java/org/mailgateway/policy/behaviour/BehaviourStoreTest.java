package org.mailgateway.policy.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mailgateway.contracts.Envelope;
import org.mailgateway.contracts.SessionSummary;

class BehaviourStoreTest {

    private static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");
    private static final Duration WINDOW = Duration.ofMinutes(10);

    /**
     * Sessions from one IP, one every {@code gapSeconds}, each with a new HELO name, {@code relay} relay attempts and
     * {@code authFailures} AUTH failures, no mail; what the window counts after the last one.
     */
    @ParameterizedTest(name = "{0} sessions every {1}s")
    @CsvSource(delimiter = '|', value = {
        // sessions, gap s, relay each, auth each, expected sessions, expected helo names, expected relay, expected auth
        "1  | 10  | 0 | 0 | 1  | 1  | 0  | 0",
        "14 | 10  | 1 | 0 | 14 | 14 | 14 | 0",
        "14 | 60  | 2 | 1 | 11 | 11 | 22 | 11",   // 10 minutes back from the last one reaches 11 sessions (0..600 s)
        "30 | 60  | 1 | 0 | 11 | 11 | 11 | 0",
        "3  | 700 | 1 | 0 | 1  | 1  | 1  | 0",     // each one older than the window is forgotten
    })
    void countsWhatHappenedWithinTheWindow(int count, int gapSeconds, int relay, int auth, int sessions, int helos,
            int relayed, int authFailures) {
        BehaviourStore store = new BehaviourStore(WINDOW, 1000, 256);
        IpActivity last = null;
        for (int i = 0; i < count; i++) {
            last = store.record(0, session("203.0.113.7", T0.plusSeconds((long) i * gapSeconds), List.of("love-" + i + ".example"),
                    relay, auth, 0, SessionSummary.End.QUIT));
        }
        assertEquals(new IpActivity("203.0.113.7", WINDOW, sessions, sessions, relayed, authFailures, 0, 0, helos,
                "love-" + (count - 1) + ".example"), last);
    }

    @Test
    void repeatedAndDifferentlyCasedHeloNamesCountOnce() {
        BehaviourStore store = new BehaviourStore(WINDOW, 1000, 256);
        store.record(0, session("203.0.113.7", T0, List.of("a.example", "A.EXAMPLE"), 0, 0, 1, SessionSummary.End.QUIT));
        IpActivity activity = store.record(0, session("203.0.113.7", T0.plusSeconds(5), List.of("a.example", "b.example"), 0, 0, 1,
                SessionSummary.End.QUIT));

        assertEquals(2, activity.heloNames());
        assertEquals(0, activity.sessionsWithoutMail());
        assertEquals(2, activity.sessions());
    }

    @Test
    void messagesCountWithTheirRecipientsAndHeloNames() {
        BehaviourStore store = new BehaviourStore(WINDOW, 1000, 256);
        store.record(0, message("192.0.2.1", T0, "one.example", 3));
        store.record(0, message("192.0.2.1", T0.plusSeconds(1), "two.example", 2));
        IpActivity activity = store.record(0, message("192.0.2.1", T0.plusSeconds(2), "one.example", 1));

        assertEquals(new IpActivity("192.0.2.1", WINDOW, 0, 0, 0, 0, 3, 6, 2, "one.example"), activity);
    }

    @Test
    void sessionsRefusedAtConnectAreNotCounted() {
        BehaviourStore store = new BehaviourStore(WINDOW, 1000, 256);
        IpActivity activity = store.record(0, session("203.0.113.7", T0, List.of(), 0, 0, 0, SessionSummary.End.BLOCKED));

        assertEquals(IpActivity.none("203.0.113.7", WINDOW), activity);
    }

    @Test
    void ipsAreSeparate() {
        BehaviourStore store = new BehaviourStore(WINDOW, 1000, 256);
        store.record(0, session("203.0.113.7", T0, List.of("a.example"), 5, 0, 0, SessionSummary.End.QUIT));

        assertEquals(0, store.record(0, session("203.0.113.8", T0, List.of("b.example"), 0, 0, 0, SessionSummary.End.QUIT))
                .relayAttempts());
    }

    @Test
    void theLeastRecentlySeenIpIsForgottenBeyondTheBound() {
        BehaviourStore store = new BehaviourStore(WINDOW, 2, 256);
        store.record(0, session("192.0.2.1", T0, List.of("a.example"), 1, 0, 0, SessionSummary.End.QUIT));
        store.record(0, session("192.0.2.2", T0, List.of("a.example"), 1, 0, 0, SessionSummary.End.QUIT));
        store.record(0, session("192.0.2.1", T0, List.of("a.example"), 1, 0, 0, SessionSummary.End.QUIT));
        store.record(0, session("192.0.2.3", T0, List.of("a.example"), 1, 0, 0, SessionSummary.End.QUIT));

        assertEquals(2, store.size());
        assertEquals(3, store.record(0, session("192.0.2.1", T0, List.of(), 1, 0, 0, SessionSummary.End.QUIT)).relayAttempts());
        assertEquals(1, store.record(0, session("192.0.2.2", T0, List.of(), 1, 0, 0, SessionSummary.End.QUIT)).relayAttempts(),
                "192.0.2.2 was forgotten and starts again");
    }

    @Test
    void eventsPerIpAreBoundedAndCountsSaturate() {
        BehaviourStore store = new BehaviourStore(WINDOW, 10, 8);
        IpActivity activity = null;
        for (int i = 0; i < 20; i++) {
            activity = store.record(0, session("192.0.2.1", T0.plusSeconds(i), List.of(), 1, 0, 0, SessionSummary.End.QUIT));
        }
        // each session is two events (SESSION, RELAY): 8 events hold the last 4 sessions
        assertEquals(4, activity.relayAttempts());
    }

    @Test
    void aRevokedPartitionTakesItsIpsWithIt() {
        BehaviourStore store = new BehaviourStore(WINDOW, 1000, 256);
        store.record(1, session("192.0.2.1", T0, List.of("a.example"), 3, 0, 0, SessionSummary.End.QUIT));
        store.record(2, session("192.0.2.2", T0, List.of("a.example"), 3, 0, 0, SessionSummary.End.QUIT));

        assertEquals(1, store.forgetPartitions(List.of(1)));

        assertEquals(1, store.record(1, session("192.0.2.1", T0, List.of(), 1, 0, 0, SessionSummary.End.QUIT)).relayAttempts());
        assertEquals(4, store.record(2, session("192.0.2.2", T0, List.of(), 1, 0, 0, SessionSummary.End.QUIT)).relayAttempts());
    }

    static SessionSummary session(String ip, Instant endedAt, List<String> helos, int relay, int authFailures, int messages,
            SessionSummary.End end) {
        List<SessionSummary.Refusal> refusals = new ArrayList<>();
        for (int i = 0; i < relay; i++) {
            refusals.add(new SessionSummary.Refusal("RCPT", "<x" + i + "@elsewhere.test>", 554, "5.7.1", SessionSummary.RefusalKind.RELAY));
        }
        return new SessionSummary("01JDQ3W6Z7K3M8N9P0Q1R2S3T4", "ingress-test", ip, endedAt.minusSeconds(1), endedAt, helos, null,
                new SessionSummary.Auth(authFailures, authFailures, false, null), refusals, 0, messages, 0, messages, relay, 100, end);
    }

    static Envelope message(String ip, Instant at, String helo, int recipients) {
        List<String> rcpts = new ArrayList<>();
        for (int i = 0; i < recipients; i++) {
            rcpts.add("r" + i + "@example.test");
        }
        return new Envelope("01JDQ3W6Z7K3M8N9P0Q1R2S3T4", at, ip, helo, "ESMTP", "a@example.org", rcpts, 10, "ingress-test");
    }
}
