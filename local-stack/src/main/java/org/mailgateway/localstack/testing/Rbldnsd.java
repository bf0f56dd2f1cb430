package org.mailgateway.localstack.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.mailgateway.localstack.Ports;

/**
 * Debian's rbldnsd (installed by .ci/run), a real DNS server, on a free loopback UDP port, serving the zones a
 * test gives it: DNS blocklists ({@code ip4set}) and plain records ({@code generic}: A, TXT and MX).
 */
public final class Rbldnsd implements AutoCloseable {

    /** One zone: its name, the rbldnsd dataset type ({@code ip4set}, {@code generic}, …) and the file's lines. */
    public record Zone(String name, String type, List<String> lines) {
    }

    private final Process process;
    private final int port;
    private final Path dir;

    private Rbldnsd(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    public static Rbldnsd start(List<Zone> zones) {
        try {
            // rbldnsd drops root for its own user: the zone directory must be readable by anyone
            Path dir = Files.createTempDirectory(Path.of("/tmp"), "rbldnsd-test", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwxr-xr-x")));
            int port = Ports.free();
            List<String> command = new ArrayList<>(List.of("rbldnsd", "-n", "-b", "127.0.0.1/" + port, "-r", dir.toString(),
                    "-t", "60"));
            for (Zone zone : zones) {
                Path file = dir.resolve(zone.name() + ".zone");
                Files.writeString(file, String.join("\n", zone.lines()) + "\n", StandardCharsets.US_ASCII);
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
                command.add(zone.name() + ":" + zone.type() + ":" + file.getFileName());
            }
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("rbldnsd.log").toFile()).start();
            awaitStarted(process, dir.resolve("rbldnsd.log"), Duration.ofSeconds(30));
            return new Rbldnsd(process, port, dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start rbldnsd (is the Debian package installed?)", e);
        }
    }

    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:port}, the form of {@code gateway.dns.servers}. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    private static void awaitStarted(Process process, Path log, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String text = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            if (text.contains("started")) {
                return;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("rbldnsd exited: " + text);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("rbldnsd did not start within " + timeout);
    }

    @Override
    public void close() {
        TestProcesses.stopAndDelete(process, dir);
    }
}
