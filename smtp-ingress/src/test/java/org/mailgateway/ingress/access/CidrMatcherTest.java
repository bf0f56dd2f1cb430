package org.mailgateway.ingress.access;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.mailgateway.contracts.Cidr;

/** The matcher against the obvious reference: test every entry, sort by prefix length. */
class CidrMatcherTest {

    record Op(Cidr cidr, boolean remove) {
    }

    @Property(tries = 500)
    void agreesWithANaiveScan(@ForAll("operations") List<Op> operations, @ForAll("addresses") List<InetAddress> probes) {
        CidrMatcher<String> matcher = new CidrMatcher<>();
        Map<Cidr, String> reference = new LinkedHashMap<>();
        for (Op op : operations) {
            if (op.remove()) {
                matcher.remove(op.cidr());
                reference.remove(op.cidr());
            } else {
                matcher.put(op.cidr(), op.cidr().toString());
                reference.put(op.cidr(), op.cidr().toString());
            }
        }
        for (InetAddress probe : probes) {
            List<Cidr> expected = new ArrayList<>();
            for (Cidr cidr : reference.keySet()) {
                if (cidr.contains(probe)) {
                    expected.add(cidr);
                }
            }
            expected.sort(Comparator.comparingInt(Cidr::prefixLength).reversed());
            assertEquals(expected.stream().map(Cidr::toString).toList(), matcher.matches(probe), "probe " + probe);
        }
        assertEquals(reference.size(), matcher.size());
    }

    @Test
    void ipv4MappedIpv6AddressesMatchIpv4Entries() throws UnknownHostException {
        CidrMatcher<String> matcher = new CidrMatcher<>();
        matcher.put(Cidr.parse("192.0.2.0/24"), "net");

        assertEquals(List.of("net"), matcher.matches(InetAddress.getByName("::ffff:192.0.2.7")));
        assertEquals(List.of(), matcher.matches(InetAddress.getByName("2001:db8::1")));
    }

    /** Few distinct networks (a small space of addresses and prefixes), so that entries nest and collide. */
    @Provide
    Arbitrary<List<Op>> operations() {
        Arbitrary<Cidr> v4 = Combinators.combine(Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 3),
                Arbitraries.of(0, 8, 16, 23, 24, 25, 30, 32)).as((a, b, prefix) -> Cidr.around(v4(a, b), prefix));
        Arbitrary<Cidr> v6 = Combinators.combine(Arbitraries.integers().between(0, 3), Arbitraries.of(0, 32, 48, 64, 127, 128))
                .as((a, prefix) -> Cidr.around(v6(a), prefix));
        Arbitrary<Cidr> cidr = Arbitraries.oneOf(v4, v6);
        return Combinators.combine(cidr, Arbitraries.integers().between(0, 4)).as((c, r) -> new Op(c, r == 0)).list().ofMaxSize(40);
    }

    @Provide
    Arbitrary<List<InetAddress>> addresses() {
        Arbitrary<InetAddress> v4 = Combinators.combine(Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 3))
                .as(CidrMatcherTest::v4);
        Arbitrary<InetAddress> v6 = Arbitraries.integers().between(0, 3).map(CidrMatcherTest::v6);
        return Arbitraries.oneOf(v4, v6).list().ofMinSize(1).ofMaxSize(20);
    }

    private static InetAddress v4(int a, int b) {
        return IpAddresses.parse("10." + a + ".0." + (b * 64 + a));
    }

    private static InetAddress v6(int a) {
        return IpAddresses.parse("2001:db8:" + a + "::" + (a + 1));
    }
}
