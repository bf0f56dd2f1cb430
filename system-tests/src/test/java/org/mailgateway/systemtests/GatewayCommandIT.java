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
import org.mailgateway.localstack.StackOptions;
import org.mailgateway.localstack.testing.SmtpDialogue;

/**
 * The README's first command, as a user runs it: {@code ./gateway up} prints the endpoints and the key and
 * returns with the stack running; {@code status} shows it; {@code down} stops it; a second {@code up} finds the
 * same data; {@code up --scale} runs and lists several instances. Ports are moved off the defaults so that a gateway already running on this machine is not touched.
 */
class GatewayCommandIT {

    private final Path project = Path.of(System.getProperty("gateway.project.dir")).toAbsolutePath().normalize();
    private final Path data = project.resolve("system-tests/target/gateway-command-" + System.currentTimeMillis());
    private final int smtpPort = instancePorts();
    private final int adminPort = Ports.free();
    private final Map<String, String> env = Map.of(
            "GATEWAY_DATA_DIR", data.toString(),
            "GATEWAY_SMTP_PORT", Integer.toString(smtpPort),
            "GATEWAY_KAFKA_PORT", Integer.toString(Ports.free()),
            "GATEWAY_KAFKA_CONTROLLER_PORT", Integer.toString(Ports.free()),
            "GATEWAY_POSTGRES_PORT", Integer.toString(Ports.free()),
            "GATEWAY_HTTP_PORT_ADMIN_API", Integer.toString(adminPort),
            "GATEWAY_HTTP_PORT_SMTP_INGRESS", Integer.toString(instancePorts()),
            "GATEWAY_HTTP_PORT_POLICY_SERVICE", Integer.toString(instancePorts()),
            "GATEWAY_HTTP_PORT_QUEUE_SERVICE", Integer.toString(instancePorts()));

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

    @Test
    void upWithScaleRunsTwoOfEachAndStatusAndDownCoverEveryInstance() throws Exception {
        try {
            String up = gateway(0, "up", "--scale", "ingress=2,policy=2,queue=2");
            int second = smtpPort + StackOptions.INSTANCE_PORT_STEP;
            assertTrue(up.contains("SMTP        127.0.0.1:" + smtpPort + " 127.0.0.1:" + second), up);
            try (SmtpDialogue smtp = SmtpDialogue.connect(second)) {
                smtp.expect(220).send("EHLO client.example.org").expect(250).send("QUIT").expect(221);
            }
            String status = gateway("status");
            for (String instance : List.of("smtp-ingress ", "smtp-ingress-2", "policy-service ", "policy-service-2",
                    "queue-service ", "queue-service-2", "admin-api ")) {
                assertTrue(status.lines().anyMatch(l -> l.contains(instance) && l.endsWith("ready")), instance + ":\n" + status);
            }
            assertTrue(Files.exists(data.resolve("logs/smtp-ingress-2.log")), "the second ingress has its own log");
            List<Long> pids = Files.readAllLines(data.resolve("run/stack.env")).stream()
                    .filter(l -> l.startsWith("PID_")).map(l -> Long.parseLong(l.substring(l.indexOf('=') + 1))).toList();
            assertEquals(9, pids.size(), "launcher, Kafka and seven services");

            assertTrue(gateway("down").contains("stopped"));
            for (long pid : pids) {
                assertTrue(ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true), "process " + pid + " outlived down");
            }
        } finally {
            gateway("down");
        }
    }

    /** {@code up --scale} puts the second instance 100 ports above the first; both must be free. */
    private static int instancePorts() {
        return Ports.freeSeries(2, StackOptions.INSTANCE_PORT_STEP);
    }

    private String gateway(String command) throws IOException, InterruptedException {
        return gateway(0, command);
    }

    private String gateway(String command, int expectedExit) throws IOException, InterruptedException {
        return gateway(expectedExit, command);
    }

    private String gateway(int expectedExit, String... args) throws IOException, InterruptedException {
        String command = String.join(" ", args);
        List<String> line = new java.util.ArrayList<>(List.of(project.resolve("gateway").toString()));
        line.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(line)
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
