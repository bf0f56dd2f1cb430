package org.mailgateway.admin.rest;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.mailgateway.contracts.ContractJson;
import org.mailgateway.contracts.Envelope;
import org.mailgateway.localstack.postgres.EmbeddedPostgresServer;
import org.mailgateway.localstack.testing.EmbeddedInfrastructure;

/**
 * Rows in the mail store as queue-service writes them, for tests. The database is shared by every test class of
 * the JVM: each test uses its own client addresses or destinations.
 */
public final class StoreFixtures {

    private StoreFixtures() {
    }

    /** A message to store. */
    public record Mail(String id, Instant receivedAt, String clientIp, String helo, String sender, List<String> recipients,
            String action, double score, String hitsJson, byte[] raw) {
    }

    public static Connection connect() throws SQLException {
        return DriverManager.getConnection(EmbeddedInfrastructure.postgres().jdbcUrl(), EmbeddedPostgresServer.USER,
                EmbeddedPostgresServer.PASSWORD);
    }

    public static String hits(String... rulesAndScores) {
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < rulesAndScores.length; i += 2) {
            json.append(i == 0 ? "" : ",").append("{\"rule\":\"").append(rulesAndScores[i]).append("\",\"score\":")
                    .append(rulesAndScores[i + 1]).append(",\"reason\":\"because ").append(rulesAndScores[i]).append("\"}");
        }
        return json.append("]").toString();
    }

    public static void insert(Mail m) throws SQLException {
        try (Connection c = connect()) {
            insert(c, m);
        }
    }

    public static void insert(Connection c, Mail m) throws SQLException {
        Envelope envelope = new Envelope(m.id(), m.receivedAt(), m.clientIp(), m.helo(), "ESMTP", m.sender(), m.recipients(),
                m.raw().length, "ingress-1");
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO message (id, received_at, client_ip, helo_name, mail_from, recipients, size, subject, envelope,
                                     action, score, threshold, hits, decided_at, raw)
                VALUES (?, ?, ?::inet, ?, ?, ?, ?, 'Test', ?::jsonb, ?, ?, 5, ?::jsonb, ?, ?)""")) {
            s.setString(1, m.id());
            s.setTimestamp(2, Timestamp.from(m.receivedAt()));
            s.setString(3, m.clientIp());
            s.setString(4, m.helo());
            s.setString(5, m.sender());
            s.setArray(6, c.createArrayOf("text", m.recipients().toArray()));
            s.setInt(7, m.raw().length);
            s.setString(8, new String(ContractJson.write(envelope), StandardCharsets.UTF_8));
            s.setString(9, m.action());
            s.setDouble(10, m.score());
            s.setString(11, m.hitsJson());
            s.setTimestamp(12, Timestamp.from(m.receivedAt().plusSeconds(1)));
            s.setBytes(13, m.raw());
            s.executeUpdate();
        }
    }

    /** A delivery row as the delivery loop leaves it. */
    public static void delivery(String messageId, String recipient, String destination, String state, int attempts, Instant nextAttempt,
            String lastReply, Instant leaseUntil) throws SQLException {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement("""
                INSERT INTO delivery (message_id, recipient, destination, state, attempts, next_attempt_at, lease_until,
                                      last_attempt_at, last_reply)
                VALUES (?, ?, ?, ?, ?, ?, ?, CASE WHEN ? > 0 THEN now() END, ?)""")) {
            s.setString(1, messageId);
            s.setString(2, recipient);
            s.setString(3, destination);
            s.setString(4, state);
            s.setInt(5, attempts);
            s.setTimestamp(6, Timestamp.from(nextAttempt));
            s.setTimestamp(7, leaseUntil == null ? null : Timestamp.from(leaseUntil));
            s.setInt(8, attempts);
            s.setString(9, lastReply);
            s.executeUpdate();
        }
    }

    /** The first column of the first row of a query with one string parameter. */
    public static String queryOne(String sql, String parameter) throws SQLException {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, parameter);
            try (var rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
