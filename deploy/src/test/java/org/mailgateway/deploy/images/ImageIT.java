package org.mailgateway.deploy.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mailgateway.localstack.Ports;
import org.mailgateway.localstack.testing.SmtpDialogue;

/**
 * The smtp-ingress image as a container runtime would run it, without one: built by {@link ImageBuilder}, its
 * layers unpacked in order into a root file system, its entrypoint started in that root (chroot, in a private
 * mount and PID namespace with /proc and /dev, as a container has) as the image's user. The service must come
 * up alive and greet SMTP clients, as user 185. Needs root (chroot, mount), as CI has.
 */
class ImageIT {

    private static final Path PROJECT = Path.of(System.getProperty("gateway.project.dir")).toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theSmtpIngressImageRunsAsItsUnprivilegedUserAndGreetsClients() throws Exception {
        assertEquals("root", System.getProperty("user.name"), "this test unpacks and chroots into the image: run it as root");
        Path work = PROJECT.resolve("deploy/target/image-test");
        Path tar = new ImageBuilder(PROJECT, work, "test").buildTar("smtp-ingress");

        Path unpacked = Files.createDirectories(work.resolve("unpacked-" + System.nanoTime()));
        run(List.of("tar", "-xf", tar.toString(), "-C", unpacked.toString()));
        JsonNode manifest = JSON.readTree(unpacked.resolve("manifest.json").toFile()).get(0);
        assertEquals("mail-gateway/smtp-ingress:test", manifest.get("RepoTags").get(0).asText());
        JsonNode config = JSON.readTree(unpacked.resolve(manifest.get("Config").asText()).toFile()).get("config");
        assertEquals("185:185", config.get("User").asText(), "never root");
        assertTrue(config.get("ExposedPorts").has("25/tcp") && config.get("ExposedPorts").has("8080/tcp"), config.toString());

        Path root = Files.createDirectories(unpacked.resolve("rootfs"));
        for (JsonNode layer : manifest.get("Layers")) {
            run(List.of("tar", "--warning=no-unknown-keyword", "-xzf", unpacked.resolve(layer.asText()).toString(),
                    "-C", root.toString()));
        }
        Files.createDirectories(root.resolve("proc"));
        Files.createDirectories(root.resolve("dev"));

        int smtpPort = Ports.free();
        int httpPort = Ports.free();
        List<String> entrypoint = new ArrayList<>();
        config.get("Entrypoint").forEach(e -> entrypoint.add(e.asText()));
        String inside = "mount -t proc proc '" + root + "/proc' && mount --rbind /dev '" + root + "/dev' && exec env -i"
                + " PATH=/opt/java/bin:/usr/bin:/bin GATEWAY_SMTP_PORT=" + smtpPort + " QUARKUS_HTTP_PORT=" + httpPort
                + " KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:" + Ports.free()
                + " /usr/sbin/chroot --userspec=" + config.get("User").asText() + " '" + root + "' " + String.join(" ", entrypoint);
        Path log = work.resolve("smtp-ingress-in-image.log");
        Process container = new ProcessBuilder("unshare", "--mount", "--fork", "--pid", "sh", "-c", inside)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            awaitLive(httpPort, container, log);
            try (SmtpDialogue smtp = SmtpDialogue.connect(smtpPort)) {
                smtp.expect(220).send("EHLO client.example.org").expect(250).send("QUIT").expect(221);
            }
            ProcessHandle java = container.toHandle().descendants()
                    .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false)).findFirst()
                    .orElseThrow(() -> new AssertionError("no java process under the container"));
            assertEquals(Optional.of("185"), uid(java.pid()), "the service runs as the image's user");
        } finally {
            container.descendants().forEach(ProcessHandle::destroy);
            container.destroy();
            container.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static void awaitLive(int httpPort, Process container, Path log) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!container.isAlive()) {
                throw new AssertionError("the container exited: " + Files.readString(log, StandardCharsets.UTF_8));
            }
            try {
                HttpResponse<Void> live = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                        + "/q/health/live")).build(), HttpResponse.BodyHandlers.discarding());
                if (live.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("not live within 120 s: " + Files.readString(log, StandardCharsets.UTF_8));
    }

    /** The real user id from /proc/PID/status. */
    private static Optional<String> uid(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith("Uid:"))
                .map(l -> l.split("\\s+")[1]).findFirst();
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(5, TimeUnit.MINUTES) && process.exitValue() == 0, command + ": " + output);
    }
}
