package org.mailgateway.policy.dnsbl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DnsblZoneTest {

    /** entry, answer, counts? */
    @ParameterizedTest(name = "{0} answers {1}: {2}")
    @CsvSource(delimiter = ';', value = {
        "bl.test=4 ; 127.0.0.2 ; true",
        "bl.test=4 ; 127.1.2.3 ; true",
        "bl.test=4 ; 10.0.0.2 ; false",
        "bl.test=4:127.0.0.2-127.0.0.11 ; 127.0.0.2 ; true",
        "bl.test=4:127.0.0.2-127.0.0.11 ; 127.0.0.11 ; true",
        "bl.test=4:127.0.0.2-127.0.0.11 ; 127.0.0.12 ; false",
        "bl.test=4:127.0.0.2-127.0.0.11 ; 127.0.0.1 ; false",
        "bl.test=4:127.0.0.4 ; 127.0.0.4 ; true",
        "bl.test=4:127.0.0.4 ; 127.0.0.5 ; false",
        "bl.test=4:127.0.0.4|127.0.0.10 ; 127.0.0.10 ; true",
        "multi.test=2:&0x0c ; 127.0.0.4 ; true",
        "multi.test=2:&0x0c ; 127.0.0.8 ; true",
        "multi.test=2:&0x0c ; 127.0.0.2 ; false",
        "multi.test=2:&12 ; 127.0.0.8 ; true",
        "multi.test=2:&0x0c ; 10.0.0.4 ; false",
        "wl.test=-3:127.0.5.0-127.0.5.255 ; 127.0.5.3 ; true",
        "bl.test=4 ; garbage ; false",
    })
    void theFilterDecidesWhichAnswersCount(String entry, String answer, boolean counts) {
        assertEquals(counts, DnsblZone.parse(entry).accepts(answer));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "bl.test=4      | 4.0  | bl.test",
        "BL.Test = -3.5 | -3.5 | bl.test",
    })
    void weightAndName(String entry, double weight, String zone) {
        DnsblZone parsed = DnsblZone.parse(entry);
        assertEquals(weight, parsed.weight());
        assertEquals(zone, parsed.zone());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "203.0.113.7   | 7.113.0.203.bl.test",
        "2001:db8::1   | 1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.test",
    })
    void queryNamesReverseTheAddress(String ip, String name) {
        assertEquals(name, DnsblZone.parse("bl.test=1").queryName(ip));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bl.test", "=4", "bl.test=x", "bl.test=4:127.0.0", "bl.test=4:&zz", "bl.test=4:127.0.0.2-"})
    void badEntriesAreRefusedWithTheirText(String entry) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DnsblZone.parse(entry));
        assertTrue(e.getMessage().contains(entry), e.getMessage());
    }
}
