package org.mailgateway.localstack.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/** For the external programs tests start (a DNS server, an SMTP sink): how they are stopped and cleared away. */
public final class TestProcesses {

    private TestProcesses() {
    }

    /** Stops the process, waits until it is gone, then deletes its working directory and everything in it. */
    public static void stopAndDelete(Process process, Path dir) {
        process.destroy();
        try {
            process.waitFor();
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
