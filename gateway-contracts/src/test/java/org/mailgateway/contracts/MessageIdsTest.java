package org.mailgateway.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MessageIdsTest {

    @Test
    void idsSortByTime() {
        Random random = new Random(1);
        String earlier = MessageIds.of(1_700_000_000_000L, random);
        String later = MessageIds.of(1_700_000_000_001L, random);

        assertTrue(earlier.compareTo(later) < 0, earlier + " should sort before " + later);
    }

    @Test
    void theTimePartIsTheUlidEncoding() {
        // 2016-07-30T23:54:10.259Z is the time of the ULID specification's example 01ARZ3NDEKTSV4RRFFQ69G5FAV
        assertEquals("01ARZ3NDEK", MessageIds.of(1_469_922_850_259L, new Random(1)).substring(0, 10));
    }

    @Test
    void idsAreValidAndDistinct() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = MessageIds.next();
            assertTrue(MessageIds.isValid(id), id);
            assertTrue(seen.add(id), "repeated id " + id);
        }
    }

    @Test
    void foreignStringsAreNotValidIds() {
        assertFalse(MessageIds.isValid(null));
        assertFalse(MessageIds.isValid("short"));
        assertFalse(MessageIds.isValid("01ARYZ6S41UUUUUUUUUUUUUUUU"));
        assertFalse(MessageIds.isValid("../../etc/passwd/aaaaaaaaaaa"));
        assertNotEquals(MessageIds.next(), MessageIds.next());
    }
}
