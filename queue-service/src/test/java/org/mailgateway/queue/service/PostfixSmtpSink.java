package org.mailgateway.queue.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.mailgateway.localstack.testing.TestProcesses;

/**
 * Postfix's {@code smtp-sink} (Debian package postfix, installed by .ci/run) as a real downstream: it dumps each
 * transaction to its own file ({@code -d}), its own headers first, then the message as received.
 */
final class PostfixSmtpSink implements AutoCloseable {

    private final Process process;
    private final Path dir;

    private PostfixSmtpSink(Process process, Path dir) {
        this.process = process;
        this.dir = dir;
    }

    static PostfixSmtpSink start(int port) {
        try {
            // it drops root privileges for "nobody", who must be able to write the dumps
            Path dir = Files.createTempDirectory("smtp-sink", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwxrwxrwx")));
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
            List<String> command = new ArrayList<>(List.of("smtp-sink"));
            if ("root".equals(System.getProperty("user.name"))) {
                command.addAll(List.of("-u", "nobody"));
            }
            command.addAll(List.of("-d", dir + "/message.", "127.0.0.1:" + port, "64"));
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("smtp-sink.log").toFile()).start();
            awaitListening(process, port, Duration.ofSeconds(30));
            return new PostfixSmtpSink(process, dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start smtp-sink (is Debian's postfix installed?)", e);
        }
    }

    private static void awaitListening(Process process, int port, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("smtp-sink exited with " + process.exitValue());
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }
        throw new IllegalStateException("smtp-sink did not listen within " + timeout);
    }

    /**
     * The messages received so far, each as its client sent it (smtp-sink's own header lines and the empty line it
     * appends removed; smtp-sink writes lines with LF only).
     */
    List<String> messages() {
        try (Stream<Path> files = Files.list(dir)) {
            List<String> messages = new ArrayList<>();
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith("message.")).toList()) {
                String dump = Files.readString(file, StandardCharsets.ISO_8859_1);
                int start = dump.indexOf("\n", dump.indexOf("\n", dump.indexOf("\nReceived: ") + 1) + 1);
                int endOfReceived = dump.indexOf("\n", start + 1);
                if (start < 0 || endOfReceived < 0 || !dump.endsWith("\n\n")) {
                    continue; // still being written
                }
                messages.add(dump.substring(endOfReceived + 1, dump.length() - 1));
            }
            return messages;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        TestProcesses.stopAndDelete(process, dir);
    }
}
