package org.mailgateway.admin.rest;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.mailgateway.contracts.ContractJson;
import org.mailgateway.contracts.Envelope;
import org.mailgateway.contracts.MessageIds;
import org.mailgateway.localstack.postgres.EmbeddedPostgresServer;
import org.mailgateway.localstack.testing.EmbeddedInfrastructure;

/** What the other services would have written: mail store rows (queue-service) and Kafka records. */
final class Fixtures {

    private Fixtures() {
    }

    static Connection mailStore() throws Exception {
        return DriverManager.getConnection(EmbeddedInfrastructure.postgres().jdbcUrl(), EmbeddedPostgresServer.USER,
                EmbeddedPostgresServer.PASSWORD);
    }

    /** A judged message as queue-service stores it; {@code hitsJson} is the verdict's rule hits. Returns its id. */
    static String message(Connection c, Instant at, String ip, String mailFrom, String action, double score, String hitsJson)
            throws Exception {
        String id = MessageIds.next();
        Envelope envelope = new Envelope(id, at, ip, "mail.example", "ESMTP", mailFrom, List.of("b@example.test"), 10, "ingress-1");
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO message (id, received_at, client_ip, helo_name, mail_from, recipients, size, subject, envelope,
                                     action, score, threshold, hits, decided_at, raw)
                VALUES (?, ?, ?::inet, 'mail.example', ?, ARRAY['b@example.test'], 10, 'Hello', ?::jsonb, ?, ?, 5, ?::jsonb, ?,
                        'Subject: Hello\r\n\r\nHi\r\n'::bytea)""")) {
            s.setString(1, id);
            s.setTimestamp(2, Timestamp.from(at));
            s.setString(3, ip);
            s.setString(4, mailFrom);
            s.setString(5, new String(ContractJson.write(envelope), StandardCharsets.UTF_8));
            s.setString(6, action);
            s.setDouble(7, score);
            s.setString(8, hitsJson);
            s.setTimestamp(9, Timestamp.from(at));
            s.executeUpdate();
        }
        return id;
    }

    static void delivery(Connection c, String messageId, String recipient, String state) throws Exception {
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO delivery (message_id, recipient, destination, state, next_attempt_at)
                VALUES (?, ?, 'mx.example.test:25', ?, now())""")) {
            s.setString(1, messageId);
            s.setString(2, recipient);
            s.setString(3, state);
            s.executeUpdate();
        }
    }

    /** Writes {@code values} under {@code key}, in order, and waits until Kafka acknowledged them; null = tombstone. */
    static void produce(String topic, String key, Object... values) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                "bootstrap.servers", EmbeddedInfrastructure.kafkaBootstrapServers(),
                "key.serializer", StringSerializer.class.getName(),
                "value.serializer", ByteArraySerializer.class.getName()))) {
            for (Object value : values) {
                byte[] bytes = value == null ? null : ContractJson.write(value);
                producer.send(new ProducerRecord<>(topic, key, bytes)).get(60, TimeUnit.SECONDS);
            }
        }
    }
}
