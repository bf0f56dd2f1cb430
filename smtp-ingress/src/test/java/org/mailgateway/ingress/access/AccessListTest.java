package org.mailgateway.ingress.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mailgateway.contracts.BlockEntry;
import org.mailgateway.contracts.Cidr;

class AccessListTest {

    private static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");

    /** Entries: a /24 block, a longer-lived /32 block inside it, an allow inside it, and an expired block. */
    private static AccessList list() {
        AccessList list = new AccessList();
        add(list, "198.51.100.0/24", BlockEntry.Kind.BLOCK, "the range", NOW.plusSeconds(600));
        add(list, "198.51.100.66/32", BlockEntry.Kind.BLOCK, "the host", NOW.plusSeconds(3600));
        add(list, "198.51.100.7/32", BlockEntry.Kind.ALLOW, "a known sender", null);
        add(list, "203.0.113.5/32", BlockEntry.Kind.BLOCK, "old", NOW.minusSeconds(1));
        add(list, "2001:db8::/64", BlockEntry.Kind.BLOCK, "v6 range", null);
        return list;
    }

    @ParameterizedTest
    @CsvSource(nullValues = "none", value = {
        "198.51.100.1, the range",
        "198.51.100.66, the host",
        "198.51.100.7, none",
        "198.51.101.1, none",
        "203.0.113.5, none",
        "2001:db8::77, v6 range",
        "2001:db8:1::77, none",
    })
    void theMostSpecificActiveBlockUnlessAnAllowCovers(String address, String reason) {
        Optional<BlockEntry> block = list().blockFor(IpAddresses.parse(address), NOW);

        assertEquals(Optional.ofNullable(reason), block.map(BlockEntry::reason));
    }

    @ParameterizedTest
    @CsvSource({"198.51.100.7, true", "198.51.100.8, false"})
    void allowEntries(String address, boolean allowed) {
        assertEquals(allowed, list().isAllowed(IpAddresses.parse(address), NOW));
    }

    @org.junit.jupiter.api.Test
    void aTombstoneRemovesTheEntry() {
        AccessList list = list();
        list.apply(Cidr.parse("198.51.100.0/24"), null);

        assertTrue(list.blockFor(IpAddresses.parse("198.51.100.1"), NOW).isEmpty());
    }

    private static void add(AccessList list, String cidr, BlockEntry.Kind kind, String reason, Instant expires) {
        list.apply(Cidr.parse(cidr), new BlockEntry(cidr, kind, BlockEntry.Source.ADMIN, reason, List.of(), NOW.minusSeconds(60),
                expires, 1, "test"));
    }
}
