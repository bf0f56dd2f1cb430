package org.mailgateway.admin.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.mailgateway.contracts.Cidr;

/**
 * The export leaves out only ranges that another exported range covers: what a firewall loads blocks exactly
 * the addresses the entries block, and no two exported ranges overlap (nftables refuses that).
 */
class FirewallExportPropertyTest {

    @Provide
    Arbitrary<List<Cidr>> ranges() {
        // a small address space (10.0.0.0/22 and 2001:db8::/118) so that ranges nest and repeat often
        Arbitrary<Cidr> v4 = Arbitraries.integers().between(0, 1023).flatMap(host -> Arbitraries.integers().between(22, 32)
                .map(prefix -> Cidr.around(address(new byte[] {10, 0, (byte) (host >> 8), (byte) (int) host}), prefix)));
        Arbitrary<Cidr> v6 = Arbitraries.integers().between(0, 1023).flatMap(host -> Arbitraries.integers().between(118, 128)
                .map(prefix -> {
                    byte[] b = new byte[16];
                    b[0] = 0x20;
                    b[1] = 0x01;
                    b[2] = 0x0d;
                    b[3] = (byte) 0xb8;
                    b[14] = (byte) (host >> 8);
                    b[15] = (byte) (int) host;
                    return Cidr.around(address(b), prefix);
                }));
        return Arbitraries.oneOf(v4, v6).list().ofMaxSize(30);
    }

    @Property(tries = 300)
    void everyEntryIsCoveredAndNoTwoExportedRangesOverlap(@ForAll("ranges") List<Cidr> ranges) {
        List<Cidr> exported = FirewallExport.outermost(ranges);

        for (Cidr entry : ranges) {
            assertTrue(exported.stream().anyMatch(e -> FirewallExport.contains(e, entry)), entry + " is not covered");
        }
        for (int i = 0; i < exported.size(); i++) {
            assertTrue(ranges.contains(exported.get(i)), "only ranges of entries are exported");
            for (int j = 0; j < exported.size(); j++) {
                if (i != j) {
                    assertFalse(FirewallExport.contains(exported.get(i), exported.get(j)), exported.get(i) + " overlaps " + exported.get(j));
                }
            }
        }
        assertEquals(exported, FirewallExport.outermost(exported), "exporting the export changes nothing");
    }

    private static InetAddress address(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
