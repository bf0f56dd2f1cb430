package org.mailgateway.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {

    @ParameterizedTest
    @CsvSource({
        "192.0.2.0/24, 192.0.2.77, true",
        "192.0.2.0/24, 192.0.3.1, false",
        "192.0.2.7, 192.0.2.7, true",
        "192.0.2.7, 192.0.2.8, false",
        "0.0.0.0/0, 203.0.113.9, true",
        "10.0.0.0/8, 10.255.255.255, true",
        "172.16.0.0/12, 172.32.0.1, false",
        "2001:db8::/32, 2001:db8:1::5, true",
        "2001:db8::/32, 2001:db9::1, false",
        "::1, ::1, true",
        // an IPv4-mapped IPv6 address is the IPv4 client (dual-stack sockets report them that way)
        "192.0.2.0/24, ::ffff:c000:0201, true",
    })
    void containment(String cidr, String address, boolean expected) throws Exception {
        assertEquals(expected, Cidr.parse(cidr).contains(InetAddress.getByName(address)));
    }

    @ParameterizedTest
    @CsvSource({
        "192.0.2.0/24, 192.0.2.0/24",
        "192.0.2.7, 192.0.2.7/32",
        "2001:DB8::/32, 2001:db8:0:0:0:0:0:0/32",
    })
    void canonicalForm(String input, String canonical) {
        assertEquals(canonical, Cidr.parse(input).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "example.com", "192.0.2", "192.0.2.256", "192.0.2.1/33", "192.0.2.1/24",
        "192.0.2.0/", "192.0.2.0/-1", "01.2.3.4", "2001:db8::/129", "1.2.3.4/2a", "localhost"})
    void refusedWithAReason(String input) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse(input));
        assertFalse(e.getMessage().isBlank());
    }

    @ParameterizedTest
    @ValueSource(strings = {"192.0.2.1/24"})
    void hostBitsNameTheNetwork(String input) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse(input));
        assertTrue(e.getMessage().contains("192.0.2.0/24"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({
        "203.0.113.77, 24, 203.0.113.0/24",
        "203.0.113.77, 32, 203.0.113.77/32",
        "2001:db8:1:2:3:4:5:6, 64, 2001:db8:1:2:0:0:0:0/64",
    })
    void theNetworkAroundAnAddress(String address, int prefix, String expected) throws Exception {
        assertEquals(expected, Cidr.around(InetAddress.getByName(address), prefix).toString());
    }

    @ParameterizedTest
    @CsvSource({
        "0.0.0.0, 0.0.0.0",
        "192.0.2.7, 192.0.2.7",
        "255.255.255.255, 255.255.255.255",
        "10.0.100.9, 10.0.100.9",
        "2001:DB8::1, 2001:db8:0:0:0:0:0:1",
    })
    void addressesParsedWithoutALookup(String text, String expected) throws Exception {
        assertEquals(expected, InetAddress.getByAddress(Cidr.addressOrNull(text)).getHostAddress());
        assertEquals(expected, InetAddress.getByAddress(Cidr.parseAddress(text)).getHostAddress());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "vm", "mail.example.org", "localhost", "192.0.2", "192.0.2.", "192.0.2.1.",
        "192.0.2.1.5", ".192.0.2", "192..2.1", "192.0.2.256", "01.2.3.4", "1.2.3.0004", "1.2.3.-4", "1.2.3.4 ",
        "2001:db8::zz", "example.org:25"})
    void notAnAddressIsNullOrARefusal(String text) {
        assertEquals(null, Cidr.addressOrNull(text));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parseAddress(text));
        assertTrue(e.getMessage().matches("'.*' is not an IPv[46] address"), e.getMessage());
    }
}
