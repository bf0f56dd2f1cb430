package org.mailgateway.localstack.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The downstream mail server in tests: Python's aiosmtpd (Debian package python3-aiosmtpd, installed by
 * .ci/run), a real SMTP server that no one here wrote. It keeps each message's bytes exactly as received.
 */
public final class DownstreamSink implements AutoCloseable {

    /** Debian's interpreter, which has the python3-aiosmtpd package (a pyenv python on PATH may not). */
    private static final String PYTHON = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";

    /** One received message: its bytes and its envelope as JSON. */
    public record Received(byte[] content, String envelopeJson) {

        public String text() {
            return new String(content, StandardCharsets.UTF_8);
        }
    }

    private final int port;
    private final Path directory;
    private final Process process;

    private DownstreamSink(int port, Path directory, Process process) {
        this.port = port;
        this.directory = directory;
        this.process = process;
    }

    /**
     * @param options extra script options, e.g. {@code "--tempfail-data", "1"} or {@code "--refuse-rcpt", "nobody"}
     */
    public static DownstreamSink start(int port, Path directory, String... options) {
        try {
            Files.createDirectories(directory);
            Path script = directory.resolveSibling(directory.getFileName() + "-sink.py");
            try (InputStream in = DownstreamSink.class.getResourceAsStream("downstream_sink.py")) {
                Files.copy(in, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            List<String> command = new ArrayList<>(List.of(PYTHON, script.toString(), "--port", Integer.toString(port),
                    "--dir", directory.toString()));
            command.addAll(List.of(options));
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(directory.resolveSibling(directory.getFileName() + "-sink.log").toFile())
                    .start();
            DownstreamSink sink = new DownstreamSink(port, directory, process);
            sink.awaitListening(Duration.ofSeconds(30));
            return sink;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the downstream SMTP sink (is python3-aiosmtpd installed?)", e);
        }
    }

    public int port() {
        return port;
    }

    /** Messages received so far, in order of arrival. */
    public List<Received> messages() {
        try (Stream<Path> files = Files.list(directory)) {
            List<Path> emls = files.filter(p -> p.getFileName().toString().endsWith(".eml")).sorted().toList();
            List<Received> received = new ArrayList<>();
            for (Path eml : emls) {
                String name = eml.getFileName().toString();
                Path json = eml.resolveSibling(name.substring(0, name.length() - 4) + ".json");
                received.add(new Received(Files.readAllBytes(eml), Files.readString(json, StandardCharsets.UTF_8)));
            }
            return received;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Messages whose bytes contain {@code text}. */
    public List<Received> messagesContaining(String text) {
        return messages().stream().filter(m -> m.text().contains(text)).toList();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitListening(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the downstream sink exited; see " + directory + "-sink.log");
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }
        throw new IllegalStateException("the downstream sink did not listen on " + port + " within " + timeout);
    }
}
