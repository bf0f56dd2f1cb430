package org.mailgateway.policy.dnsbl;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.mailgateway.contracts.Verdict;
import org.mailgateway.localstack.testing.EmbeddedInfrastructureResource;
import org.mailgateway.policy.messaging.TestRecords;

/** With a DNS server that never answers, verdicts still flow (after the DNS timeout), score nothing, and are counted. */
@QuarkusTest
@WithTestResource(EmbeddedInfrastructureResource.class)
@WithTestResource(value = DnsServersResource.class, initArgs = @ResourceArg(name = "server", value = "silent"))
class DeadDnsServerIT {

    private static final Pattern TIMEOUTS = Pattern.compile(
            "gateway_policy_dnsbl_lookups_total\\{[^}]*outcome=\"timeout\"[^}]*zone=\"bl.test\"[^}]*} ([0-9.]+)");

    @Test
    void verdictsStillFlowAndTheTimeoutsAreCounted() throws Exception {
        for (String client : List.of("127.0.0.77", "198.51.100.81", "198.51.100.82")) {
            Verdict verdict = TestRecords.awaitVerdict(TestRecords.publishMessage(client, "mail.example.org",
                    "Subject: hi\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII)).messageId());

            assertEquals(Verdict.Action.DELIVER, verdict.action());
            assertEquals(List.of(), verdict.hits());
        }

        Matcher timeouts = TIMEOUTS.matcher(given().get("/q/metrics").then().statusCode(200).extract().asString());
        assertTrue(timeouts.find(), "no timeout counter for bl.test");
        assertTrue(Double.parseDouble(timeouts.group(1)) >= 3, timeouts.group());
    }
}
