package org.mailgateway.queue.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mailgateway.queue.store.MessageContent;

class RecentContentTest {

    private static MessageContent content(String id, int size) {
        return new MessageContent(id, "a@example.org", Instant.EPOCH, "{}", new byte[size]);
    }

    @Test
    void aMessageIsTakenOnceAndThenAsksTheStore() {
        RecentContent recent = new RecentContent(1000);
        MessageContent m = content("m1", 100);
        recent.put(m);

        Map<String, MessageContent> first = recent.take(List.of("m1", "elsewhere"));
        assertEquals(Map.of("m1", m), first);
        assertArrayEquals(m.raw(), first.get("m1").raw());
        assertTrue(recent.take(List.of("m1")).isEmpty());
        assertEquals(0, recent.bytes());
    }

    @Test
    void theOldestGoPastTheBound() {
        RecentContent recent = new RecentContent(250);
        recent.put(content("m1", 100));
        recent.put(content("m2", 100));
        recent.put(content("m3", 100));

        assertEquals(200, recent.bytes());
        assertEquals(List.of("m2", "m3"), recent.take(List.of("m1", "m2", "m3")).keySet().stream().sorted().toList());
    }

    @Test
    void aMessageLargerThanTheBoundAndAnyMessageWhenOffAreNotKept() {
        RecentContent small = new RecentContent(50);
        small.put(content("big", 51));
        RecentContent off = new RecentContent(0);
        off.put(content("m1", 1));

        assertTrue(small.take(List.of("big")).isEmpty());
        assertTrue(off.take(List.of("m1")).isEmpty());
        assertEquals(0, small.bytes() + off.bytes());
    }

    @Test
    void theSameIdTwiceCountsOnce() {
        RecentContent recent = new RecentContent(1000);
        recent.put(content("m1", 100));
        recent.put(content("m1", 100));

        assertEquals(100, recent.bytes());
    }
}
