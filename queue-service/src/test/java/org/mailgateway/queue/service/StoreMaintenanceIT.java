package org.mailgateway.queue.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mailgateway.contracts.MessageIds;
import org.mailgateway.localstack.postgres.EmbeddedPostgresServer;
import org.mailgateway.localstack.testing.EmbeddedInfrastructure;
import org.mailgateway.localstack.testing.EmbeddedInfrastructureResource;
import org.mailgateway.queue.store.StoredBytesChecks;

/**
 * The store's upkeep: retention deletes what may go and nothing pending; the per-destination view stays
 * correct (and its query time is printed) with 100,000 deferred recipients.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedInfrastructureResource.class, initArgs = @ResourceArg(name = "postgres", value = "true"))
@WithTestResource(SinkRouteResource.class)
class StoreMaintenanceIT {

    @Inject
    RetentionService retention;

    @Test
    void retentionDeletesOldQuarantineAndFinishedMailButNeverPendingMail() throws Exception {
        // defaults: quarantine kept 30 days, finished mail 7 days
        String oldSpam = insertMessage("QUARANTINE", "40 days");
        String recentSpam = insertMessage("QUARANTINE", "2 days");
        String oldDelivered = insertMessage("DELIVER", "10 days");
        insertDelivery(oldDelivered, "DELIVERED", "now()");
        String oldReleased = insertMessage("RELEASED", "10 days");
        insertDelivery(oldReleased, "FAILED", "now()");
        String oldStillDeferred = insertMessage("DELIVER", "10 days");
        insertDelivery(oldStillDeferred, "DEFERRED", "now() + interval '1 day'");
        String recentDelivered = insertMessage("DELIVER", "1 day");
        insertDelivery(recentDelivered, "DELIVERED", "now()");

        int deleted = retention.sweep().await().atMost(Duration.ofSeconds(30));

        assertTrue(deleted >= 3, "deleted " + deleted);
        assertEquals(List.of(recentSpam, oldStillDeferred, recentDelivered),
                existing(List.of(oldSpam, recentSpam, oldDelivered, oldReleased, oldStillDeferred, recentDelivered)));
        assertEquals(0, count("SELECT count(*) FROM delivery WHERE message_id IN ('" + oldDelivered + "', '" + oldReleased + "')"));
        execute("DELETE FROM message WHERE id IN ('" + recentSpam + "', '" + oldStillDeferred + "', '" + recentDelivered + "')");
    }

    /** V3: lz4 for the stored bytes where this PostgreSQL has it, pglz (the default) where it does not. */
    @Test
    void theStoredBytesAreCompressedWithLz4ExactlyWhenTheServerHasIt() throws Exception {
        boolean serverHasLz4;
        try (Connection c = db(); Statement s = c.createStatement()) {
            s.execute("CREATE TEMP TABLE lz4_probe (b bytea COMPRESSION lz4)");
            serverHasLz4 = true;
        } catch (SQLException e) {
            assertEquals("0A000", e.getSQLState(), e.getMessage()); // feature_not_supported: built without lz4
            serverHasLz4 = false;
        }
        String id = insertMessage("QUARANTINE", "1 day");
        try (Connection c = db()) {
            assertEquals(serverHasLz4 ? "l" : "", StoredBytesChecks.rawColumnCompression(c), "attcompression of message.raw");
            StoredBytesChecks.storeAndReadBack64KiB(c, id, serverHasLz4 ? "lz4" : "pglz");
        } finally {
            execute("DELETE FROM message WHERE id = '" + id + "'");
        }
    }

    @Test
    void theDestinationViewWithOneHundredThousandDeferredRecipients() throws Exception {
        // 100,000 messages, one deferred recipient each, over 50 destinations; not due for a day, so the delivery
        // loop leaves them alone
        execute("""
                INSERT INTO message (id, received_at, client_ip, mail_from, recipients, size, envelope, action, score,
                                     threshold, hits, decided_at, raw)
                SELECT 'SCALE' || lpad(i::text, 21, '0'), now() - make_interval(secs => i), '192.0.2.1', 'a@example.org',
                       ARRAY['b@example.test'], 10, '{}', 'DELIVER', 0, 5, '[]', now(), 'x'::bytea
                  FROM generate_series(1, 100000) AS i""");
        execute("""
                INSERT INTO delivery (message_id, recipient, destination, state, attempts, next_attempt_at,
                                      last_attempt_at, last_reply)
                SELECT 'SCALE' || lpad(i::text, 21, '0'), 'b@example.test', 'scale-' || (i % 50) || '.example:25',
                       'DEFERRED', 3, now() + interval '1 day', now() - make_interval(secs => i),
                       '421 4.7.0 try again later (' || i || ')'
                  FROM generate_series(1, 100000) AS i""");
        execute("ANALYZE message; ANALYZE delivery");
        try {
            long started = System.nanoTime();
            int destinations = 0;
            try (Connection c = db(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT destination, deferred, oldest, last_error FROM destination_queue"
                            + " WHERE destination LIKE 'scale-%' ORDER BY deferred DESC")) {
                while (rs.next()) {
                    destinations++;
                    assertEquals(2000, rs.getInt(2), rs.getString(1));
                    assertTrue(rs.getString(4).startsWith("421 4.7.0 try again later"), rs.getString(4));
                }
            }
            long millis = (System.nanoTime() - started) / 1_000_000;
            assertEquals(50, destinations);
            String one = timed("SELECT * FROM destination_queue WHERE destination = 'scale-7.example:25'");
            System.out.printf("destination_queue with 100,000 deferred recipients: all 50 destinations in %d ms;"
                    + " one destination: %s%n", millis, one);
        } finally {
            execute("DELETE FROM message WHERE id LIKE 'SCALE%'");
        }
    }

    private static String timed(String sql) throws Exception {
        try (Connection c = db(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("EXPLAIN ANALYZE " + sql)) {
            String last = "";
            while (rs.next()) {
                last = rs.getString(1);
            }
            return last.strip();
        }
    }

    private static String insertMessage(String action, String age) throws Exception {
        String id = MessageIds.next();
        execute("INSERT INTO message (id, received_at, client_ip, mail_from, recipients, size, envelope, action, score,"
                + " threshold, hits, decided_at, raw) VALUES ('" + id + "', now() - interval '" + age + "', '192.0.2.9',"
                + " 'a@example.org', ARRAY['b@example.test'], 1, '{}', '" + action + "', 0, 5, '[]', now(), 'x'::bytea)");
        return id;
    }

    private static void insertDelivery(String id, String state, String nextAttempt) throws Exception {
        execute("INSERT INTO delivery (message_id, recipient, destination, state, next_attempt_at) VALUES ('" + id
                + "', 'b@example.test', 'retention.example:25', '" + state + "', " + nextAttempt + ")");
    }

    private static List<String> existing(List<String> ids) throws Exception {
        List<String> found = new ArrayList<>();
        for (String id : ids) {
            if (count("SELECT count(*) FROM message WHERE id = '" + id + "'") == 1) {
                found.add(id);
            }
        }
        return found;
    }

    private static int count(String sql) throws Exception {
        try (Connection c = db(); PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static void execute(String sql) throws Exception {
        try (Connection c = db(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static Connection db() throws Exception {
        return DriverManager.getConnection(EmbeddedInfrastructure.postgres().jdbcUrl(), EmbeddedPostgresServer.USER,
                EmbeddedPostgresServer.PASSWORD);
    }
}
