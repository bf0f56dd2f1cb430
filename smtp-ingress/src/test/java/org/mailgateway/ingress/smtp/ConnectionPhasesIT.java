package org.mailgateway.ingress.smtp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.mailgateway.contracts.Envelope;
import org.mailgateway.contracts.SessionSummary;
import org.mailgateway.localstack.Ports;
import org.mailgateway.localstack.testing.EmbeddedInfrastructureResource;
import org.mailgateway.localstack.testing.SmtpDialogue;

/**
 * What happens before the first command: the PROXY protocol header from a load balancer, the banner delay
 * and pregreet, and the per-IP connection limit; and two settings the other tests leave at their defaults:
 * refusing long message lines, and a short idle timeout. 127.0.0.3 plays a load balancer; a second port
 * accepts PROXY-protocol connections only.
 */
@QuarkusTest
@TestProfile(ConnectionPhasesIT.Profile.class)
@WithTestResource(value = EmbeddedInfrastructureResource.class, initArgs = @ResourceArg(name = "smtp", value = "true"))
class ConnectionPhasesIT {

    static final int PROXY_PORT = Ports.free();
    private static final Pattern QUEUED_AS = Pattern.compile("queued as ([0-9A-Z]{26})");

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "gateway.smtp.banner-delay", "PT0.5S",
                    "gateway.smtp.max-connections-per-ip", "3",
                    "gateway.smtp.proxy-protocol.sources", "127.0.0.3/32",
                    "gateway.smtp.proxy-protocol.port", Integer.toString(PROXY_PORT),
                    "gateway.smtp.long-message-lines", "refuse",
                    "gateway.smtp.idle-timeout", "PT5S");
        }
    }

    private static int port() {
        return EmbeddedInfrastructureResource.smtpPort();
    }

    @Test
    void aClientThatTalksBeforeTheBannerIsRefused() {
        try (SmtpDialogue smtp = SmtpDialogue.connect("127.0.0.8", port())) {
            smtp.send("EHLO impatient.example").expect(554, "5.5.1");
            assertTrue(smtp.isClosedByServer());
        }
        assertEquals(SessionSummary.End.PREGREET,
                SessionsAndBlocklistIT.awaitSession("127.0.0.8", s -> s.end() == SessionSummary.End.PREGREET).end());
    }

    @Test
    void aPatientClientGetsTheBannerAfterTheDelay() {
        try (SmtpDialogue smtp = SmtpDialogue.connect("127.0.0.9", port())) {
            smtp.expect(220).send("EHLO patient.example").expect(250);
        }
    }

    @Test
    void aTrustedClientGetsTheBannerAtOnceSoItCannotPregreet() {
        try (SmtpDialogue smtp = SmtpDialogue.connect("127.0.0.1", port())) {
            smtp.expect(220).send("EHLO inside.example").expect(250);
        }
    }

    @Test
    void proxyV1CarriesTheRealClientAddressIntoTheEnvelopeAndReceivedHeader() {
        String id;
        try (SmtpDialogue smtp = SmtpDialogue.connect("127.0.0.3", port())) {
            smtp.sendRaw("PROXY TCP4 203.0.113.9 192.0.2.1 40000 25\r\n").expect(220);
            id = sendOneMessage(smtp, "b@example.test");
        }
        ConsumerRecord<String, byte[]> record = InboundTopic.awaitMessage(id);
        assertEquals("203.0.113.9", record.key());
        assertEquals("203.0.113.9", InboundTopic.envelope(record).clientIp());
        assertTrue(new String(record.value(), StandardCharsets.US_ASCII).startsWith("Received: from client.example.org ([203.0.113.9])"));
    }

    @Test
    void proxyV2WithAnIpv6ClientOnTheProxyOnlyPort() {
        String id;
        try (SmtpDialogue smtp = SmtpDialogue.connect("127.0.0.2", PROXY_PORT)) {
            smtp.sendRaw(proxyV2Tcp6("2001:db8::9", "2001:db8::25")).expect(220);
            id = sendOneMessage(smtp, "b@example.test");
        }
        Envelope envelope = InboundTopic.envelope(InboundTopic.awaitMessage(id));
        assertEquals("2001:db8:0:0:0:0:0:9", envelope.clientIp());
    }

    @Test
    void theRealClientIsWhatRelayControlJudges() {
        // 127.0.0.1 is trusted; behind the load balancer it is an internet client like any other
        try (SmtpDialogue smtp = SmtpDialogue.connect("127.0.0.3", port())) {
            smtp.sendRaw("PROXY TCP4 198.51.100.4 192.0.2.1 40000 25\r\n").expect(220)
                    .send("EHLO client.example.org").expect(250)
                    .send("MAIL FROM:<a@example.org>").expect(250)
                    .send("RCPT TO:<victim@elsewhere.test>").expect(554, "5.7.1");
        }
    }

    @Test
    void aConnectionWithoutTheExpectedProxyHeaderIsClosedWithoutAReply() {
        try (SmtpDialogue smtp = SmtpDialogue.connect("127.0.0.3", port())) {
            smtp.send("EHLO client.example.org");
            assertTrue(smtp.isClosedByServer());
        }
        try (SmtpDialogue smtp = SmtpDialogue.connect("127.0.0.2", PROXY_PORT)) {
            smtp.sendRaw("PROXY TCP4 not-an-address 192.0.2.1 1 25\r\n");
            assertTrue(smtp.isClosedByServer());
        }
    }

    @Test
    void bytesRightAfterTheProxyHeaderArePregreet() {
        try (SmtpDialogue smtp = SmtpDialogue.connect("127.0.0.3", port())) {
            smtp.sendRaw("PROXY TCP4 203.0.113.10 192.0.2.1 40000 25\r\nEHLO hasty.example\r\n").expect(554, "5.5.1");
        }
    }

    @Test
    void connectionsPerClientIpAreLimited() {
        List<SmtpDialogue> held = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                held.add(SmtpDialogue.connect("127.0.0.10", port()).expect(220));
            }
            try (SmtpDialogue fourth = SmtpDialogue.connect("127.0.0.10", port())) {
                fourth.expect(421, "4.7.0");
                assertTrue(fourth.isClosedByServer());
            }
            try (SmtpDialogue other = SmtpDialogue.connect("127.0.0.11", port())) {
                other.expect(220);
            }
            held.remove(0).close();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                try (SmtpDialogue again = SmtpDialogue.connect("127.0.0.10", port())) {
                    again.expect(220);
                }
            });
        } finally {
            held.forEach(SmtpDialogue::close);
        }
    }

    @Test
    void withLongMessageLinesRefusedALineOverOneThousandOctetsRefusesTheMessage() {
        try (SmtpDialogue smtp = SmtpDialogue.connect("127.0.0.1", port())) {
            smtp.expect(220).send("EHLO client.example.org").expect(250)
                    .send("MAIL FROM:<a@example.org>").expect(250)
                    .send("RCPT TO:<b@example.test>").expect(250)
                    .send("DATA").expect(354)
                    .sendRaw("Subject: long\r\n\r\n" + "y".repeat(999) + "\r\n.\r\n").expect(550, "5.6.0")
                    .send("MAIL FROM:<a@example.org>").expect(250)
                    .send("RCPT TO:<b@example.test>").expect(250)
                    .send("DATA").expect(354)
                    .sendRaw("Subject: at the limit\r\n\r\n" + "y".repeat(998) + "\r\n.\r\n").expect(250, "2.0.0");
        }
    }

    @Test
    void aSilentClientIsDisconnectedAfterTheIdleTimeout() {
        try (SmtpDialogue smtp = SmtpDialogue.connect("127.0.0.1", port())) {
            smtp.expect(220).send("EHLO client.example.org").expect(250)
                    .expect(421, "4.4.2");
            assertTrue(smtp.isClosedByServer());
        }
    }

    private static String sendOneMessage(SmtpDialogue smtp, String recipient) {
        smtp.send("EHLO client.example.org").expect(250)
                .send("MAIL FROM:<a@example.org>").expect(250)
                .send("RCPT TO:<" + recipient + ">").expect(250)
                .send("DATA").expect(354)
                .sendRaw("Subject: via a load balancer\r\n\r\nhi\r\n.\r\n").expect(250, "2.0.0");
        Matcher m = QUEUED_AS.matcher(smtp.lastReply().text());
        assertTrue(m.find());
        return m.group(1);
    }

    static byte[] proxyV2Tcp6(String source, String destination) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
        out.write(0x21); // version 2, PROXY
        out.write(0x21); // TCP over IPv6
        ByteBuffer payload = ByteBuffer.allocate(36);
        payload.put(org.mailgateway.contracts.Cidr.parseAddress(source));
        payload.put(org.mailgateway.contracts.Cidr.parseAddress(destination));
        payload.putShort((short) 40000).putShort((short) 25);
        out.write(0);
        out.write(36);
        out.writeBytes(payload.array());
        return out.toByteArray();
    }
}
