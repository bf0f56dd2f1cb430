package org.mailgateway.ingress.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mailgateway.ingress.smtp.address.SmtpPath;

class RelayPolicyTest {

    private final RelayPolicy policy = new RelayPolicy(List.of("Example.TEST", " other.test "), List.of("10.0.0.0/8", "::1"));

    /** Recipients as an untrusted client sends them; whether they pass relay control. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "<user@example.test>                   | accept",
        "<User@EXAMPLE.test>                   | accept",
        "<user@other.test>                     | accept",
        "<\"john doe\"@example.test>           | accept",
        "<user@elsewhere.test>                 | domain not accepted",
        "<user@sub.example.test>               | domain not accepted",
        "<user%elsewhere.test@example.test>    | routing characters in the local part",
        "<elsewhere.test!user@example.test>    | routing characters in the local part",
        "<\"user@elsewhere.test\"@example.test> | routing characters in the local part",
        "<\"user%elsewhere.test\"@example.test> | routing characters in the local part",
        "<\"user\\@elsewhere.test\"@example.test> | routing characters in the local part",
        "<@example.test:user@elsewhere.test>   | source route",
        "<@example.test,@b.test:user@example.test> | source route",
        "<user@[127.0.0.1]>                    | address literal",
        "<user@[IPv6:::1]>                     | address literal",
    })
    void untrustedClients(String path, String expected) {
        SmtpCommand.Rcpt rcpt = (SmtpCommand.Rcpt) CommandParser.parse("RCPT TO:" + path.strip());

        assertEquals(expected, policy.refusal(rcpt.forwardPath(), false).orElse("accept"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "<user@elsewhere.test>",
        "<user%elsewhere.test@example.test>",
        "<@example.test:user@elsewhere.test>",
        "<user@[192.0.2.1]>",
    })
    void trustedOrAuthenticatedClientsMayRelay(String path) {
        SmtpPath recipient = ((SmtpCommand.Rcpt) CommandParser.parse("RCPT TO:" + path.strip())).forwardPath();

        assertTrue(policy.refusal(recipient, true).isEmpty());
    }

    @Test
    void trustedNetworks() throws Exception {
        assertTrue(policy.isTrusted(InetAddress.getByName("10.1.2.3")));
        assertTrue(policy.isTrusted(InetAddress.getByName("::1")));
        assertFalse(policy.isTrusted(InetAddress.getByName("11.0.0.1")));
        assertFalse(policy.isTrusted(InetAddress.getByName("127.0.0.1")));
    }
}
