package org.mailgateway.queue.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mailgateway.localstack.Ports;
import org.mailgateway.localstack.postgres.EmbeddedPostgresServer;

/**
 * Migration V3 on a PostgreSQL built with lz4: Debian's (the package {@code postgresql}, installed by .ci/run), run
 * through the local stack's {@code GATEWAY_POSTGRES_BINARIES} path. The embedded PostgreSQL that every other test uses
 * has no lz4 ({@code StoreMaintenanceIT} covers that branch), so this is where the lz4 branch is proven.
 */
class MessageBytesLz4IT {

    private static EmbeddedPostgresServer postgres;

    @BeforeAll
    static void startDebiansPostgres() throws IOException {
        Path data = Files.createTempDirectory("message-bytes-lz4");
        postgres = EmbeddedPostgresServer.start(data.resolve("postgres"), Ports.free(), false, Optional.of(debianBinaries()));
        Flyway.configure().dataSource(postgres.jdbcUrl(), EmbeddedPostgresServer.USER, EmbeddedPostgresServer.PASSWORD)
                .locations("classpath:db/migration").load().migrate();
    }

    @AfterAll
    static void stop() {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void theStoredBytesAreCompressedWithLz4AndReadBackWhole() throws Exception {
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(), EmbeddedPostgresServer.USER,
                EmbeddedPostgresServer.PASSWORD)) {
            assertEquals("l", StoredBytesChecks.rawColumnCompression(c), "attcompression of message.raw");
            try (Statement s = c.createStatement()) {
                s.execute("INSERT INTO message (id, received_at, client_ip, mail_from, recipients, size, envelope, action,"
                        + " score, threshold, hits, decided_at, raw) VALUES ('lz4-1', now(), '192.0.2.9', 'a@example.org',"
                        + " ARRAY['b@example.test'], 65536, '{}', 'QUARANTINE', 9, 5, '[]', now(), 'x'::bytea)");
            }
            int stored = StoredBytesChecks.storeAndReadBack64KiB(c, "lz4-1", "lz4");
            assertTrue(stored < 64 * 1024 / 4, "stored size " + stored + " of 65536");
        }
    }

    /** The newest {@code /usr/lib/postgresql/N/bin} (Debian's layout). */
    private static Path debianBinaries() throws IOException {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("no " + root + ": install Debian's postgresql package (.ci/run does)");
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin")).filter(bin -> Files.isExecutable(bin.resolve("postgres")))
                    .max(Comparator.comparingInt(bin -> Integer.parseInt(bin.getParent().getFileName().toString().replaceAll("\\D", "0"))))
                    .orElseThrow(() -> new IllegalStateException("no PostgreSQL under " + root + ": install Debian's postgresql package"));
        }
    }
}
