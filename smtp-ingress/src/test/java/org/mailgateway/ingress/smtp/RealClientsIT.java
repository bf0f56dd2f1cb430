package org.mailgateway.ingress.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.mailgateway.contracts.Envelope;
import org.mailgateway.contracts.Topics;
import org.mailgateway.localstack.testing.EmbeddedInfrastructure;
import org.mailgateway.localstack.testing.EmbeddedInfrastructureResource;
import org.mailgateway.localstack.testing.TopicReader;

/**
 * SMTP clients that nobody on this project wrote, against the ingress on loopback: swaks (STARTTLS, AUTH,
 * PIPELINING), Python's smtplib and Postfix's smtp-source (many sessions at once). Installed by .ci/run.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedInfrastructureResource.class, initArgs = @ResourceArg(name = "smtp", value = "true"))
class RealClientsIT {

    private static final Pattern QUEUED_AS = Pattern.compile("queued as ([0-9A-Z]{26})");
    private static final String PASSWORD = "correct horse battery staple";

    @Test
    void swaksWithStarttlsAuthAndPipeliningMayRelay() throws Exception {
        for (String mechanism : List.of("PLAIN", "LOGIN")) {
            String output = run(List.of("swaks", "--server", "127.0.0.1:" + EmbeddedInfrastructureResource.smtpPort(),
                    "--local-interface", "127.0.0.2", "--ehlo", "swaks.example", "--from", "alice@example.test",
                    "--to", "friend@elsewhere.test", "--tls", "--auth", mechanism, "--auth-user", "alice", "--auth-password",
                    PASSWORD, "--pipeline", "--header", "Subject: swaks " + mechanism, "--body", "hello from swaks"));

            Envelope envelope = InboundTopic.envelope(InboundTopic.awaitMessage(queuedId(output)));
            assertTrue(envelope.authenticated());
            assertNotNull(envelope.tls());
            assertEquals("ESMTPSA", envelope.protocol());
            assertEquals("127.0.0.2", envelope.clientIp());
            assertEquals(List.of("friend@elsewhere.test"), envelope.recipients());
        }
    }

    @Test
    void swaksWithAWrongPasswordIsRefusedAndCannotRelay() throws Exception {
        Process swaks = new ProcessBuilder("swaks", "--server", "127.0.0.1:" + EmbeddedInfrastructureResource.smtpPort(),
                "--local-interface", "127.0.0.2", "--from", "mallory@example.org", "--to", "friend@elsewhere.test", "--tls",
                "--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "guess")
                .redirectErrorStream(true).start();
        String output = new String(swaks.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(swaks.waitFor(60, TimeUnit.SECONDS));

        assertTrue(swaks.exitValue() != 0, output);
        assertTrue(output.contains("535 5.7.8"), output);
    }

    @Test
    void pythonSmtplibWithStarttlsAndLogin() throws Exception {
        String script = String.join("\n",
                "import smtplib, ssl, sys",
                "context = ssl.create_default_context()",
                "context.check_hostname = False",
                "context.verify_mode = ssl.CERT_NONE",
                "s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]), local_hostname='python.example', source_address=('127.0.0.2', 0))",
                "s.starttls(context=context)",
                "s.ehlo('python.example')",
                "s.login('alice', sys.argv[2])",
                "s.mail('alice@example.test', ['SMTPUTF8', 'BODY=8BITMIME'])",
                "s.rcpt('ünïcode@example.test')",
                "code, text = s.data('Subject: smtplib\\r\\n\\r\\nça va\\r\\n'.encode('utf-8'))",
                "print(code, text.decode())",
                "s.quit()");
        String output = run(List.of("/usr/bin/python3", "-c", script, Integer.toString(EmbeddedInfrastructureResource.smtpPort()),
                PASSWORD));

        ConsumerRecord<String, byte[]> record = InboundTopic.awaitMessage(queuedId(output));
        Envelope envelope = InboundTopic.envelope(record);
        assertEquals(List.of("ünïcode@example.test"), envelope.recipients());
        assertTrue(envelope.smtputf8());
        assertTrue(new String(record.value(), StandardCharsets.UTF_8).endsWith("\r\n\r\nça va\r\n"));
    }

    @Test
    void smtpSourceWithTwentySessionsLosesAndDuplicatesNothing() throws Exception {
        String sender = "source-" + UUID.randomUUID().toString().substring(0, 8) + "@example.org";
        run(List.of("smtp-source", "-s", "20", "-m", "400", "-l", "2048", "-f", sender, "-t", "sink@example.test",
                "127.0.0.1:" + EmbeddedInfrastructureResource.smtpPort()));

        List<ConsumerRecord<String, byte[]>> records = TopicReader.awaitCount(EmbeddedInfrastructure.kafkaBootstrapServers(),
                Topics.MAIL_INBOUND, r -> InboundTopic.envelope(r).mailFrom().equals(sender), 400, Duration.ofSeconds(60));
        assertEquals(400, records.stream().map(r -> InboundTopic.envelope(r).messageId()).distinct().count());
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new AssertionError(command.get(0) + " failed: " + output);
        }
        return output;
    }

    private static String queuedId(String output) {
        Matcher m = QUEUED_AS.matcher(output);
        assertTrue(m.find(), output);
        return m.group(1);
    }
}
