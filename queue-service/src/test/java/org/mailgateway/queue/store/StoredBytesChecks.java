package org.mailgateway.queue.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;

/** What migration V3 promises about {@code message.raw}, checked the same way on every PostgreSQL the tests run. */
public final class StoredBytesChecks {

    private StoredBytesChecks() {
    }

    /** {@code pg_attribute.attcompression} of {@code message.raw}: {@code l} for lz4, empty for the default (pglz). */
    public static String rawColumnCompression(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT attcompression::text FROM pg_attribute WHERE attrelid = 'message'::regclass AND attname = 'raw'");
                ResultSet rs = s.executeQuery()) {
            assertTrue(rs.next());
            return rs.getString(1);
        }
    }

    /**
     * Stores a 64 KiB message as the bytes of the existing message {@code id} and reads it back whole, as its length,
     * and in a range (as admin-api does), all equal to what was stored.
     *
     * @param method the compression PostgreSQL must have used: {@code lz4} or {@code pglz}
     * @return the stored size in bytes ({@code pg_column_size})
     */
    public static int storeAndReadBack64KiB(Connection c, String id, String method) throws SQLException {
        byte[] raw = new byte[64 * 1024];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = (byte) (i % 78 == 76 ? '\r' : i % 78 == 77 ? '\n' : 'A' + i % 23);
        }
        try (PreparedStatement s = c.prepareStatement("UPDATE message SET raw = ? WHERE id = ?")) {
            s.setBytes(1, raw);
            s.setString(2, id);
            assertEquals(1, s.executeUpdate());
        }
        try (PreparedStatement s = c.prepareStatement("SELECT raw, octet_length(raw), substring(raw FROM 30001 FOR 1000),"
                + " pg_column_compression(raw), pg_column_size(raw) FROM message WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                assertTrue(rs.next());
                assertArrayEquals(raw, rs.getBytes(1), "the stored bytes read back differ");
                assertEquals(raw.length, rs.getInt(2));
                assertArrayEquals(Arrays.copyOfRange(raw, 30000, 31000), rs.getBytes(3));
                assertEquals(method, rs.getString(4));
                return rs.getInt(5);
            }
        }
    }
}
