package org.mailgateway.queue.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Arrays;
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
        byte[] raw = new byte[64 * 1024];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = (byte) (i % 78 == 76 ? '\r' : i % 78 == 77 ? '\n' : 'A' + i % 23);
        }
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(), EmbeddedPostgresServer.USER,
                EmbeddedPostgresServer.PASSWORD)) {
            try (PreparedStatement s = c.prepareStatement("SELECT attcompression::text FROM pg_attribute"
                    + " WHERE attrelid = 'message'::regclass AND attname = 'raw'"); ResultSet rs = s.executeQuery()) {
                assertTrue(rs.next());
                assertEquals("l", rs.getString(1), "pg_attribute.attcompression of message.raw");
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO message (id, received_at, client_ip, mail_from,"
                    + " recipients, size, envelope, action, score, threshold, hits, decided_at, raw) VALUES ('lz4-1', now(),"
                    + " '192.0.2.9', 'a@example.org', ARRAY['b@example.test'], ?, '{}', 'QUARANTINE', 9, 5, '[]', now(), ?)")) {
                s.setInt(1, raw.length);
                s.setBytes(2, raw);
                assertEquals(1, s.executeUpdate());
            }
            try (PreparedStatement s = c.prepareStatement("SELECT raw, octet_length(raw), substring(raw FROM 30001 FOR 1000),"
                    + " pg_column_compression(raw), pg_column_size(raw) FROM message WHERE id = 'lz4-1'");
                    ResultSet rs = s.executeQuery()) {
                assertTrue(rs.next());
                assertArrayEquals(raw, rs.getBytes(1), "the stored bytes read back differ");
                assertEquals(raw.length, rs.getInt(2));
                assertArrayEquals(Arrays.copyOfRange(raw, 30000, 31000), rs.getBytes(3));
                assertEquals("lz4", rs.getString(4));
                assertTrue(rs.getInt(5) < raw.length / 4, "stored size " + rs.getInt(5) + " of " + raw.length);
            }
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
