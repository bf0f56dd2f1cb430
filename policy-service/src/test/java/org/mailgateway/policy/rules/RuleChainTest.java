package org.mailgateway.policy.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mailgateway.contracts.Envelope;
import org.mailgateway.contracts.RuleHit;
import org.mailgateway.contracts.Verdict;

class RuleChainTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-28T10:00:00Z"), ZoneOffset.UTC);
    private static final String GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

    private final RuleChain chain = new RuleChain(
            List.of(new GtubeRule(1000), new HeloSyntaxRule(2.5, 2.0)), 5.0, 1000, CLOCK);

    /** HELO, body, expected action, expected score, expected rules (space separated). */
    @ParameterizedTest(name = "{0} / {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "mail.example.org  | hello                  | DELIVER    | 0      | ",
        "[192.0.2.1]       | hello                  | DELIVER    | 0      | ",
        "[IPv6:2001:db8::1] | hello                 | DELIVER    | 0      | ",
        "localhost         | hello                  | DELIVER    | 2.5    | HELO_NOT_FQDN",
        "love-123          | hello                  | DELIVER    | 2.5    | HELO_NOT_FQDN",
        "192.0.2.1         | hello                  | DELIVER    | 2.0    | HELO_BARE_IP",
        "example.123       | hello                  | DELIVER    | 2.5    | HELO_NOT_FQDN",
        "-bad-.example     | hello                  | DELIVER    | 2.5    | HELO_NOT_FQDN",
        "mail.example.org  | GTUBE                  | QUARANTINE | 1000   | GTUBE",
        "localhost         | GTUBE                  | QUARANTINE | 1002.5 | GTUBE HELO_NOT_FQDN",
    })
    void scoresAndDecides(String helo, String body, String action, double score, String rules) {
        Verdict verdict = chain.evaluate(facts(helo, body.equals("GTUBE") ? "Subject: test\r\n\r\n" + GTUBE + "\r\n" : body));

        assertEquals(Verdict.Action.valueOf(action), verdict.action());
        assertEquals(score, verdict.score(), 1e-9);
        assertEquals(rules == null ? List.of() : List.of(rules.split(" ")), verdict.hits().stream().map(RuleHit::rule).toList());
        assertEquals(5.0, verdict.threshold());
        assertEquals(CLOCK.instant(), verdict.decidedAt());
    }

    @Test
    void theThresholdItselfQuarantines() {
        RuleChain strict = new RuleChain(List.of(new HeloSyntaxRule(2.5, 2.0)), 2.5, 1000, CLOCK);

        assertEquals(Verdict.Action.QUARANTINE, strict.evaluate(facts("localhost", "x")).action());
    }

    @Test
    void everyHitExplainsItself() {
        Verdict verdict = chain.evaluate(facts("love-123", GTUBE));

        assertTrue(verdict.hits().get(0).reason().contains("GTUBE"));
        assertEquals("HELO name 'love-123' is not a fully qualified domain name or an address literal",
                verdict.hits().get(1).reason());
    }

    @Test
    void aFailingRuleHoldsTheMessageInsteadOfLosingIt() {
        Rule broken = facts -> {
            throw new IllegalStateException("boom");
        };
        Verdict verdict = new RuleChain(List.of(broken, new GtubeRule(1000)), 5.0, 1000, CLOCK).evaluate(facts("a.example", "x"));

        assertEquals(Verdict.Action.QUARANTINE, verdict.action());
        assertEquals(RuleChain.POLICY_ERROR, verdict.hits().get(0).rule());
        assertTrue(verdict.hits().get(0).reason().contains("boom"));
    }

    @Test
    void gtubeIsFoundAnywhereInTheBytes() {
        byte[] gtube = GTUBE.getBytes(StandardCharsets.US_ASCII);
        assertEquals(0, GtubeRule.indexOf(gtube, gtube));
        assertEquals(3, GtubeRule.indexOf(("abc" + GTUBE).getBytes(StandardCharsets.US_ASCII), gtube));
        assertEquals(-1, GtubeRule.indexOf(GTUBE.substring(1).getBytes(StandardCharsets.US_ASCII), gtube));
        assertEquals(-1, GtubeRule.indexOf(new byte[0], gtube));
    }

    @Test
    void gtubeIsFoundAtEveryPositionOfALargeMessageAndNotWhenOneByteDiffers() {
        byte[] gtube = GTUBE.getBytes(StandardCharsets.US_ASCII);
        byte[] body = new byte[65_536];
        for (int i = 0; i < body.length; i++) {
            body[i] = gtube[i % 7]; // the needle's own bytes, so that skips are short and partial matches many
        }
        for (int at : new int[] {0, 1, 4095, 32_768, body.length - gtube.length - 1, body.length - gtube.length}) {
            byte[] message = body.clone();
            System.arraycopy(gtube, 0, message, at, gtube.length);
            assertEquals(at, GtubeRule.indexOf(message, gtube), "at " + at);
            for (int wrong : new int[] {0, gtube.length / 2, gtube.length - 1}) {
                byte[] almost = message.clone();
                almost[at + wrong] = '#';
                assertEquals(-1, GtubeRule.indexOf(almost, gtube), "at " + at + ", byte " + wrong + " changed");
            }
        }
    }

    @Test
    void gtubeSearchAgreesWithAPlainSearchOnRandomText() {
        java.util.Random random = new java.util.Random(3);
        byte[] needle = "abcab".getBytes(StandardCharsets.US_ASCII);
        for (int round = 0; round < 5000; round++) {
            byte[] haystack = new byte[random.nextInt(40)];
            for (int i = 0; i < haystack.length; i++) {
                haystack[i] = (byte) ('a' + random.nextInt(3));
            }
            String text = new String(haystack, StandardCharsets.US_ASCII);
            assertEquals(text.indexOf("abcab"), GtubeRule.indexOf(haystack, needle), text);
        }
    }

    @Test
    void aZeroScoreSwitchesARuleOff() {
        RuleChain off = new RuleChain(List.of(new GtubeRule(0), new HeloSyntaxRule(0, 0)), 5.0, 1000, CLOCK);

        assertEquals(List.of(), off.evaluate(facts("localhost", GTUBE)).hits());
    }

    static MessageFacts facts(String helo, String body) {
        Envelope envelope = new Envelope("01JDQ3W6Z7K3M8N9P0Q1R2S3T4", CLOCK.instant(), "192.0.2.9", helo, "ESMTP",
                "a@example.org", List.of("b@example.test"), body.length(), "ingress-test");
        return new MessageFacts(envelope, body.getBytes(StandardCharsets.UTF_8));
    }
}
