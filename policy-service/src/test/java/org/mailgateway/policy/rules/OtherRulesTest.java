package org.mailgateway.policy.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mailgateway.contracts.Envelope;
import org.mailgateway.contracts.RuleHit;
import org.mailgateway.policy.blocking.Networks;
import org.mailgateway.policy.dnsbl.DnsblListing;

/** The rules that look at one message's facts: own HELO names, static networks, DNS listings. */
class OtherRulesTest {

    private final HeloSyntaxRule helo = new HeloSyntaxRule(2.5, 2.0, List.of("gateway.test", "MX.Example.Test"),
            Networks.parse(Optional.of(List.of("198.51.100.25/32", "2001:db8::25/128"))), 5.0);

    /** HELO, expected rule (empty: none), expected reason. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "gateway.test        | HELO_OWN_NAME | HELO name 'gateway.test' is this gateway's own name",
        "GATEWAY.TEST        | HELO_OWN_NAME | HELO name 'GATEWAY.TEST' is this gateway's own name",
        "mx.example.test     | HELO_OWN_NAME | HELO name 'mx.example.test' is this gateway's own name",
        "[198.51.100.25]     | HELO_OWN_NAME | HELO name '[198.51.100.25]' is this gateway's own address",
        "198.51.100.25       | HELO_OWN_NAME | HELO name '198.51.100.25' is this gateway's own address",
        "[IPv6:2001:db8::25] | HELO_OWN_NAME | HELO name '[IPv6:2001:db8::25]' is this gateway's own address",
        "[198.51.100.26]     |               | ",
        "mail.example.org    |               | ",
        "198.51.100.26       | HELO_BARE_IP  | HELO name '198.51.100.26' is an IP address without the brackets of an address literal",
        "love-123            | HELO_NOT_FQDN | HELO name 'love-123' is not a fully qualified domain name or an address literal",
    })
    void heloNames(String name, String rule, String reason) {
        assertEquals(expected(rule, rule == null ? 0 : rule.equals("HELO_OWN_NAME") ? 5.0 : rule.equals("HELO_BARE_IP") ? 2.0 : 2.5,
                reason), helo.evaluate(facts("192.0.2.9", name, List.of())));
    }

    private final StaticNetworksRule networks = new StaticNetworksRule(
            Networks.parse(Optional.of(List.of("192.0.2.0/28", "2001:db8:1::/48"))),
            Networks.parse(Optional.of(List.of("203.0.113.0/24", "192.0.2.0/24"))), -100, 100);

    /** client, expected rule, expected score, expected reason. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "192.0.2.9       | STATIC_ALLOW | -100 | client 192.0.2.9 is inside the allowed network 192.0.2.0/28",
        "192.0.2.99      | STATIC_BLOCK | 100  | client 192.0.2.99 is inside the blocked network 192.0.2.0/24",
        "203.0.113.7     | STATIC_BLOCK | 100  | client 203.0.113.7 is inside the blocked network 203.0.113.0/24",
        "2001:db8:1::7   | STATIC_ALLOW | -100 | client 2001:db8:1::7 is inside the allowed network 2001:db8:1:0:0:0:0:0/48",
        "198.51.100.1    |              | 0    | ",
        "not-an-address  |              | 0    | ",
    })
    void staticNetworksAllowBeforeTheyBlock(String client, String rule, double score, String reason) {
        assertEquals(expected(rule, score, reason), networks.evaluate(facts(client, "mail.example.org", List.of())));
    }

    /** zone, weight, answers, expected rule, expected reason. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "bl.test | 4.0  | 127.0.0.2          | DNSBL | client 192.0.2.9 is listed in the blocklist bl.test (127.0.0.2)",
        "bl.test | 4.0  | 127.0.0.2 127.0.0.4 | DNSBL | client 192.0.2.9 is listed in the blocklist bl.test (127.0.0.2, 127.0.0.4)",
        "wl.test | -3.0 | 127.0.5.3          | DNSWL | client 192.0.2.9 is listed in the allowlist wl.test (127.0.5.3)",
    })
    void dnsListingsBecomeHits(String zone, double weight, String answers, String rule, String reason) {
        var listing = new DnsblListing(zone, weight, List.of(answers.split(" ")));

        assertEquals(expected(rule, weight, reason), new DnsblRule().evaluate(facts("192.0.2.9", "mail.example.org", List.of(listing))));
    }

    private static List<RuleHit> expected(String rule, double score, String reason) {
        return rule == null ? List.of() : List.of(new RuleHit(rule, score, reason));
    }

    private static MessageFacts facts(String client, String helo, List<DnsblListing> listings) {
        Envelope envelope = new Envelope("01JDQ3W6Z7K3M8N9P0Q1R2S3T4", Instant.parse("2026-11-28T10:00:00Z"), client, helo, "ESMTP",
                "a@example.org", List.of("b@example.test"), 1, "ingress-test");
        return new MessageFacts(envelope, "x".getBytes(StandardCharsets.US_ASCII), null, listings);
    }
}
