package org.mailgateway.queue.bounce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mailgateway.contracts.Envelope;

class BounceTest {

    private static final byte[] ORIGINAL = "Subject: hello\r\nFrom: a@example.org\r\n\r\nbody line\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    private static Envelope envelope(String mailFrom, boolean authenticated, boolean trusted, String ret, String notify) {
        Envelope.Dsn dsn = ret == null && notify == null ? null
                : new Envelope.Dsn(ret, null, List.of(new Envelope.Dsn.Recipient("b@example.test", notify, null)));
        return new Envelope("01TESTMESSAGE0000000000000", Instant.parse("2026-11-28T10:00:00Z"), "10.0.0.1", "laptop",
                "ESMTPSA", mailFrom, List.of("b@example.test"), ORIGINAL.length, "test", null, authenticated, trusted,
                null, false, dsn);
    }

    @ParameterizedTest(name = "from <{0}> auth={1} trusted={2} notify={3}: report={4}")
    @CsvSource(nullValues = "-", value = {
        "a@example.org, true,  false, -,               true",
        "a@example.org, false, true,  -,               true",
        "a@example.org, false, false, -,               false",
        "'',            true,  true,  -,               false",
        "a@example.org, true,  false, NEVER,           false",
        "a@example.org, true,  false, SUCCESS,         false",
        "a@example.org, true,  false, 'SUCCESS,FAILURE', true",
        "a@example.org, true,  false, 'delay,failure', true",
    })
    void onlyTrustedOrAuthenticatedSendersWhoDidNotOptOutGetAReport(String mailFrom, boolean authenticated,
            boolean trusted, String notify, boolean expected) {
        assertEquals(expected, Bounce.wanted(envelope(mailFrom, authenticated, trusted, null, notify), "b@example.test"));
    }

    @Test
    void theReportIsCrlfOnlyWithShortLinesAndReturnsTheWholeMessageOnlyForRetFull() {
        Bounce.Failure failure = new Bounce.Failure("b@example.test", "550 5.1.1 <b@example.test>: no such user "
                + "x".repeat(2000), "10.0.0.5:25", false);
        String headers = text(Bounce.report(envelope("a@example.org", true, false, "HDRS", null), ORIGINAL, List.of(failure),
                "gw.example.org", "01REPORT", Instant.now()).content());
        String full = text(Bounce.report(envelope("a@example.org", true, false, "FULL", null), ORIGINAL, List.of(failure),
                "gw.example.org", "01REPORT", Instant.now()).content());

        for (String report : List.of(headers, full)) {
            assertTrue(report.replace("\r\n", "").indexOf('\n') < 0 && report.replace("\r\n", "").indexOf('\r') < 0);
            assertTrue(report.lines().allMatch(l -> l.length() <= 998), "a line over 998 octets");
            assertTrue(report.contains("Status: 5.1.1\r\n") && report.endsWith("--=_report_01REPORT--\r\n"), report);
        }
        assertTrue(headers.contains("Content-Type: text/rfc822-headers\r\n\r\nSubject: hello\r\n") && !headers.contains("body line"));
        assertTrue(full.contains("Content-Type: message/rfc822\r\n\r\nSubject: hello\r\n") && full.contains("body line"));
    }

    @Test
    void withoutTheOriginalTheReportSaysSoAndHasNoThirdPart() {
        Bounce.Failure failure = new Bounce.Failure("b@example.test", "the message's bytes never reached the store",
                "10.0.0.5:25", true);
        String report = text(Bounce.report(envelope("a@example.org", true, false, "FULL", null), null, List.of(failure),
                "gw.example.org", "01REPORT", Instant.now()).content());

        assertTrue(report.replace("\r\n", "").indexOf('\n') < 0 && report.replace("\r\n", "").indexOf('\r') < 0);
        assertTrue(report.contains("The gateway no longer has the message's content") && report.contains("Status: 4.4.7\r\n")
                && report.contains("Final-Recipient: rfc822; b@example.test\r\n"), report);
        assertEquals(2, report.split("\r\n--=_report_01REPORT\r\n", -1).length - 1, "two parts:\n" + report);
        assertTrue(report.endsWith("\r\n--=_report_01REPORT--\r\n") && !report.contains("rfc822-headers")
                && !report.contains("message/rfc822"), report);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "550 5.1.1 no such user | false | 5.1.1",
        "554 transaction failed | false | 5.0.0",
        "451 4.4.1 try later    | true  | 4.4.1",
        "connection refused     | true  | 4.4.7",
    })
    void theStatusIsTheReplysEnhancedCodeOrTheClosestClass(String reply, boolean expired, String status) {
        assertEquals(status, Bounce.status(new Bounce.Failure("b@example.test", reply, null, expired)));
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
