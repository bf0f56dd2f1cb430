package org.mailgateway.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mailgateway.localstack.Ports;
import org.mailgateway.localstack.testing.SmtpDialogue;

/**
 * The README's first command, as a user runs it: {@code ./gateway up} prints the endpoints and the key and
 * returns with the stack running; {@code status} shows it; {@code down} stops it; a second {@code up} finds the
 * same data. Ports are moved off the defaults so that a gateway already running on this machine is not touched.
 */
class GatewayCommandIT {

    private final Path project = Path.of(System.getProperty("gateway.project.dir")).toAbsolutePath().normalize();
    private final Path data = project.resolve("system-tests/target/gateway-command-" + System.currentTimeMillis());
    private final int smtpPort = Ports.free();
    private final int adminPort = Ports.free();
    private final Map<String, String> env = Map.of(
            "GATEWAY_DATA_DIR", data.toString(),
            "GATEWAY_SMTP_PORT", Integer.toString(smtpPort),
            "GATEWAY_KAFKA_PORT", Integer.toString(Ports.free()),
            "GATEWAY_KAFKA_CONTROLLER_PORT", Integer.toString(Ports.free()),
            "GATEWAY_POSTGRES_PORT", Integer.toString(Ports.free()),
            "GATEWAY_HTTP_PORT_ADMIN_API", Integer.toString(adminPort),
            "GATEWAY_HTTP_PORT_SMTP_INGRESS", Integer.toString(Ports.free()),
            "GATEWAY_HTTP_PORT_POLICY_SERVICE", Integer.toString(Ports.free()),
            "GATEWAY_HTTP_PORT_QUEUE_SERVICE", Integer.toString(Ports.free()));

    @Test
    void upStatusDownUpAgain() throws Exception {
        try {
            String up = gateway("up");
            assertTrue(up.contains("SMTP        127.0.0.1:" + smtpPort), up);
            assertTrue(up.contains("Admin API   http://127.0.0.1:" + adminPort + "/api/v1/quarantine"), up);
            String key = Files.readString(data.resolve("admin-api-key"), StandardCharsets.US_ASCII).strip();
            assertTrue(up.contains("Admin key   " + key), up);
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(data.resolve("admin-api-key"))));

            try (SmtpDialogue smtp = SmtpDialogue.connect(smtpPort)) {
                smtp.expect(220).send("EHLO client.example.org").expect(250).send("QUIT").expect(221);
            }
            String status = gateway("status");
            for (String service : List.of("smtp-ingress", "policy-service", "queue-service", "admin-api")) {
                assertTrue(status.lines().anyMatch(l -> l.contains(service) && l.endsWith("ready")), status);
            }

            assertTrue(gateway("down").contains("stopped"));
            assertTrue(gateway("status", 3).contains("not running"));

            String again = gateway("up");
            assertTrue(again.contains("Admin key   " + key), "the key survives a restart:\n" + again);
        } finally {
            gateway("down");
        }
    }

    private String gateway(String command) throws IOException, InterruptedException {
        return gateway(command, 0);
    }

    private String gateway(String command, int expectedExit) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(project.resolve("gateway").toString(), command)
                .directory(project.toFile())
                .redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        byte[] output = process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(10, TimeUnit.MINUTES), "./gateway " + command + " did not return");
        String text = new String(output, StandardCharsets.UTF_8);
        assertEquals(expectedExit, process.exitValue(), "./gateway " + command + " said:\n" + text);
        return text;
    }
}
