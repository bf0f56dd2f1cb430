package org.mailgateway.policy.dnsbl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mailgateway.contracts.RuleHit;
import org.mailgateway.contracts.Verdict;
import org.mailgateway.localstack.testing.EmbeddedInfrastructureResource;
import org.mailgateway.policy.messaging.TestRecords;

/** The policy service asks a real DNS blocklist server (rbldnsd) about each client, and the answers score. */
@QuarkusTest
@WithTestResource(EmbeddedInfrastructureResource.class)
@WithTestResource(value = DnsServersResource.class, initArgs = @ResourceArg(name = "server", value = "rbldnsd"))
class DnsblVerdictIT {

    private static final byte[] MESSAGE = "Subject: hi\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII);

    @Test
    void aListedClientScoresTheZoneWeight() throws Exception {
        Verdict verdict = TestRecords.awaitVerdict(TestRecords.publishMessage("127.0.0.77", "mail.example.org", MESSAGE).messageId());

        assertEquals(List.of(new RuleHit("DNSBL", 4.0, "client 127.0.0.77 is listed in the blocklist bl.test (127.0.0.2)")),
                verdict.hits());
    }

    @Test
    void aClientInAListedRangeScoresToo() throws Exception {
        Verdict verdict = TestRecords.awaitVerdict(TestRecords.publishMessage("192.0.2.9", "mail.example.org", MESSAGE).messageId());

        assertEquals(List.of("DNSBL"), verdict.hits().stream().map(RuleHit::rule).toList());
    }

    @Test
    void anAllowlistedClientScoresNegative() throws Exception {
        Verdict verdict = TestRecords.awaitVerdict(TestRecords.publishMessage("198.51.100.55", "mail.example.org", MESSAGE).messageId());

        assertEquals(List.of(new RuleHit("DNSWL", -3.0, "client 198.51.100.55 is listed in the allowlist wl.test (127.0.5.3)")),
                verdict.hits());
    }

    @Test
    void anAnswerOutsideTheZoneFilterDoesNotCount() throws Exception {
        Verdict verdict = TestRecords.awaitVerdict(TestRecords.publishMessage("192.0.2.200", "mail.example.org", MESSAGE).messageId());

        assertEquals(List.of(), verdict.hits());
    }

    @Test
    void anUnlistedClientScoresNothing() throws Exception {
        Verdict verdict = TestRecords.awaitVerdict(TestRecords.publishMessage("198.51.100.80", "mail.example.org", MESSAGE).messageId());

        assertEquals(List.of(), verdict.hits());
        assertEquals(Verdict.Action.DELIVER, verdict.action());
    }
}
