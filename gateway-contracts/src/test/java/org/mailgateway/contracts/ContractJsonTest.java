package org.mailgateway.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContractJsonTest {

    @Test
    void envelopeSurvivesARoundTrip() {
        Envelope envelope = new Envelope("01JDQ3W6Z7K3M8N9P0Q1R2S3T4", Instant.parse("2026-11-28T06:30:00.123Z"),
                "203.0.113.7", "mail.example.org", "ESMTP", "", List.of("a@example.test", "b@example.test"), 1234,
                "ingress-1");

        byte[] json = ContractJson.write(envelope);

        assertEquals(envelope, ContractJson.read(json, Envelope.class));
        assertTrue(new String(json, StandardCharsets.UTF_8).contains("\"receivedAt\":\"2026-11-28T06:30:00.123Z\""));
    }

    @Test
    void envelopeWithSessionFactsAndDsnSurvivesARoundTrip() {
        Envelope envelope = new Envelope("01JDQ3W6Z7K3M8N9P0Q1R2S3T4", Instant.parse("2026-11-28T06:30:00Z"), "2001:db8::7",
                "mail.example.org", "ESMTPSA", "a@example.org", List.of("b@example.test"), 99, "ingress-1",
                new SessionSummary.Tls("TLSv1.3", "TLS_AES_128_GCM_SHA256"), true, false, "8BITMIME", true,
                new Envelope.Dsn("HDRS", "QQ314159", List.of(new Envelope.Dsn.Recipient("b@example.test", "FAILURE,DELAY",
                        "rfc822;b@example.test"))));

        assertEquals(envelope, ContractJson.read(ContractJson.write(envelope), Envelope.class));
    }

    @Test
    void envelopeFromAnOlderProducerHasNoSessionFacts() {
        byte[] json = ("{\"messageId\":\"01JDQ3W6Z7K3M8N9P0Q1R2S3T4\",\"receivedAt\":\"2026-11-28T06:30:00Z\","
                + "\"clientIp\":\"192.0.2.1\",\"heloName\":\"h\",\"protocol\":\"SMTP\",\"mailFrom\":\"\","
                + "\"recipients\":[\"b@example.test\"],\"size\":1,\"ingress\":\"i\"}").getBytes(StandardCharsets.UTF_8);

        Envelope envelope = ContractJson.read(json, Envelope.class);

        assertFalse(envelope.authenticated());
        assertEquals(null, envelope.tls());
        assertEquals(null, envelope.dsn());
    }

    @Test
    void verdictSurvivesARoundTrip() {
        Verdict verdict = new Verdict(Verdict.Action.QUARANTINE, 1002.5, 5.0,
                List.of(new RuleHit("GTUBE", 1000, "the message contains the GTUBE test string"),
                        new RuleHit("HELO_NOT_FQDN", 2.5, "HELO name 'x' is not a fully qualified domain name")),
                Instant.parse("2026-11-28T06:30:01Z"));

        assertEquals(verdict, ContractJson.read(ContractJson.write(verdict), Verdict.class));
    }

    @Test
    void unknownFieldsFromANewerProducerAreIgnored() {
        byte[] json = ("{\"rule\":\"X\",\"score\":1.0,\"reason\":\"r\",\"addedLater\":true}").getBytes(StandardCharsets.UTF_8);

        assertEquals(new RuleHit("X", 1.0, "r"), ContractJson.read(json, RuleHit.class));
    }

    @Test
    void missingOrBrokenMetadataIsAMalformedRecord() {
        assertThrows(MalformedRecordException.class, () -> ContractJson.read(null, Envelope.class));
        assertThrows(MalformedRecordException.class,
                () -> ContractJson.read("{\"messageId\":".getBytes(StandardCharsets.UTF_8), Envelope.class));
        assertThrows(MalformedRecordException.class,
                () -> ContractJson.read("{\"messageId\":\"x\"}".getBytes(StandardCharsets.UTF_8), Envelope.class));
    }

    @Test
    void sessionSummarySurvivesARoundTrip() {
        SessionSummary session = new SessionSummary("01JDQ3W6Z7K3M8N9P0Q1R2S3T5", "ingress-1", "203.0.113.7",
                Instant.parse("2026-11-28T06:30:00Z"), Instant.parse("2026-11-28T06:30:02.5Z"),
                List.of("love-1.example", "love-2.example", "love-1.example"),
                new SessionSummary.Tls("TLSv1.3", "TLS_AES_256_GCM_SHA384"), new SessionSummary.Auth(2, 1, true, "PLAIN"),
                List.of(new SessionSummary.Refusal("RCPT", "TO:<victim@elsewhere.example>", 554, "5.7.1",
                        SessionSummary.RefusalKind.RELAY)),
                0, 1, 0, 2, 1, 4096, SessionSummary.End.QUIT);

        assertEquals(session, ContractJson.read(ContractJson.write(session), SessionSummary.class));
        assertEquals(List.of("love-1.example", "love-2.example"), session.distinctHeloNames());
        SessionSummary collapsed = session.collapsed(40, Instant.parse("2026-11-28T06:31:00Z"));
        assertEquals(collapsed, ContractJson.read(ContractJson.write(collapsed), SessionSummary.class));
        assertEquals(40, collapsed.sessions());
        // a record written before the field existed stands for one session
        String older = new String(ContractJson.write(session), java.nio.charset.StandardCharsets.UTF_8)
                .replace(",\"sessions\":1", "");
        assertFalse(older.contains("sessions"), older);
        assertEquals(1, ContractJson.read(older.getBytes(java.nio.charset.StandardCharsets.UTF_8), SessionSummary.class).sessions());
    }

    @Test
    void blockEntrySurvivesARoundTrip() {
        BlockEntry entry = new BlockEntry("203.0.113.7/32", BlockEntry.Kind.BLOCK, BlockEntry.Source.POLICY,
                "client 203.0.113.7 announced 14 different HELO names in 10 minutes",
                List.of(new RuleHit("HELO_ROTATION", 6, "client 203.0.113.7 announced 14 different HELO names in 10 minutes")),
                Instant.parse("2026-11-28T06:30:00Z"), Instant.parse("2026-11-28T07:30:00Z"), 1, "policy-1");

        assertEquals(entry, ContractJson.read(ContractJson.write(entry), BlockEntry.class));
        assertTrue(entry.activeAt(Instant.parse("2026-11-28T07:29:59Z")));
        assertFalse(entry.activeAt(Instant.parse("2026-11-28T07:30:00Z")));
    }
}
