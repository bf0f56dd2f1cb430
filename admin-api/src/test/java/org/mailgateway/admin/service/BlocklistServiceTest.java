package org.mailgateway.admin.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mailgateway.admin.rest.ProblemException;

/** What an operator may type for a block or allow entry, and what the API makes of it. */
class BlocklistServiceTest {

    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "203.0.113.0/24    | 203.0.113.0/24",
            "203.0.113.7       | 203.0.113.7/32",
            "' 203.0.113.7/32 '| 203.0.113.7/32",
            "2001:db8::/48     | 2001:db8:0:0:0:0:0:0/48",
            "2001:DB8::1       | 2001:db8:0:0:0:0:0:1/128"})
    void validRangesAreCanonical(String input, String canonical) {
        assertEquals(canonical, BlocklistService.cidr(input).toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "10.0.0.5/24       | has host bits set; the network is 10.0.0.0/24",
            "10.0.0.0/33       | prefix length 33 is longer than 32",
            "300.1.2.3         | is not an IPv4 address",
            "example.org       | is not an IPv4 address",
            "10.0.0.0/        | invalid prefix length",
            "2001:db8::/129    | prefix length 129 is longer than 128",
            "2001:db8::zz      | is not an IPv6 address",
            "''                | required"})
    void invalidRangesAreA400NamingTheProblem(String input, String problem) {
        ProblemException e = assertThrows(ProblemException.class, () -> BlocklistService.cidr(input));
        assertEquals(400, e.status().getStatusCode());
        assertTrue(e.getMessage().startsWith("cidr: "), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "P7D                  | 2026-12-05T12:00:00Z",
            "PT12H                | 2026-11-29T00:00:00Z",
            "pt30m                | 2026-11-28T12:30:00Z",
            "2026-12-01T00:00:00Z | 2026-12-01T00:00:00Z"})
    void expiryIsADurationFromNowOrAnInstant(String input, String expected) {
        assertEquals(Instant.parse(expected), BlocklistService.expiry(input, NOW));
    }

    @Test
    void noExpiryIsForever() {
        assertNull(BlocklistService.expiry(null, NOW));
        assertNull(BlocklistService.expiry(" ", NOW));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "7 days               | neither an ISO-8601 duration",
            "P1W                  | neither an ISO-8601 duration",
            "PT-1H                | is not in the future",
            "2026-11-01T00:00:00Z | is not in the future"})
    void badExpiryIsA400(String input, String problem) {
        ProblemException e = assertThrows(ProblemException.class, () -> BlocklistService.expiry(input, NOW));
        assertTrue(e.getMessage().startsWith("expires: ") && e.getMessage().contains(problem), e.getMessage());
    }

    @Test
    void reasonIsRequiredBoundedAndOneLine() {
        assertEquals("relay probing", BlocklistService.reason("  relay probing "));
        assertThrows(ProblemException.class, () -> BlocklistService.reason(null));
        assertThrows(ProblemException.class, () -> BlocklistService.reason("two\r\nlines"));
        assertThrows(ProblemException.class, () -> BlocklistService.reason("x".repeat(501)));
    }
}
