package org.mailgateway.policy.dnsbl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.mailgateway.localstack.Ports;

/**
 * Debian's rbldnsd (installed by .ci/run), a real DNS blocklist server, on a free loopback UDP port, serving
 * {@code bl.test} (127.0.0.77 and 192.0.2.0/25 listed as 127.0.0.2; 192.0.2.200 listed as 127.0.0.20) and the
 * allowlist {@code wl.test} (198.51.100.55 as 127.0.5.3).
 */
public final class Rbldnsd implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path dir;

    private Rbldnsd(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    public static Rbldnsd start() {
        try {
            // rbldnsd drops root for its own user: the zone directory must be readable by anyone
            Path dir = Files.createTempDirectory(Path.of("/tmp"), "rbldnsd-test", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwxr-xr-x")));
            Files.writeString(dir.resolve("bl.zone"), String.join("\n", List.of(
                    ":127.0.0.2:listed for testing",
                    "127.0.0.77",
                    "192.0.2.0/25",
                    "192.0.2.200 :127.0.0.20:outside the filter",
                    "")), StandardCharsets.US_ASCII);
            Files.writeString(dir.resolve("wl.zone"), ":127.0.5.3:welcome\n198.51.100.55\n", StandardCharsets.US_ASCII);
            for (String zone : List.of("bl.zone", "wl.zone")) {
                Files.setPosixFilePermissions(dir.resolve(zone), PosixFilePermissions.fromString("rw-r--r--"));
            }
            int port = Ports.free();
            Process process = new ProcessBuilder("rbldnsd", "-n", "-b", "127.0.0.1/" + port, "-r", dir.toString(), "-t", "60",
                    "bl.test:ip4set:bl.zone", "wl.test:ip4set:wl.zone")
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
        process.destroy();
        try {
            process.waitFor();
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
