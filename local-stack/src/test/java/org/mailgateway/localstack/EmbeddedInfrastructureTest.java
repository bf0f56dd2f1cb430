package org.mailgateway.localstack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailgateway.contracts.Topics;
import org.mailgateway.localstack.kafka.EmbeddedKafka;
import org.mailgateway.localstack.kafka.GatewayTopics;
import org.mailgateway.localstack.postgres.EmbeddedPostgresServer;

/** The embedded broker and database are real servers whose data outlives a restart. */
class EmbeddedInfrastructureTest {

    @TempDir
    Path dir;

    @Test
    void kafkaCreatesTheTopicsAndKeepsRecordsAcrossARestart() throws Exception {
        int port = Ports.free();
        int controllerPort = Ports.free();
        byte[] body = "Subject: kept\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), port, controllerPort)) {
            GatewayTopics.ensure(kafka.bootstrapServers(), Duration.ofMinutes(2), () -> { });
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                Map<String, TopicDescription> topics = admin.describeTopics(List.of(Topics.MAIL_INBOUND,
                        Topics.SMTP_SESSIONS, Topics.MAIL_VERDICTS, Topics.POLICY_BLOCKLIST)).allTopicNames().get();
                assertEquals(6, topics.get(Topics.MAIL_INBOUND).partitions().size());
                assertEquals(6, topics.get(Topics.SMTP_SESSIONS).partitions().size());
                ConfigResource blocklist = new ConfigResource(ConfigResource.Type.TOPIC, Topics.POLICY_BLOCKLIST);
                Config config = admin.describeConfigs(List.of(blocklist)).all().get().get(blocklist);
                assertEquals("compact", config.get("cleanup.policy").value());
            }
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProps(kafka))) {
                producer.send(new ProducerRecord<>(Topics.MAIL_INBOUND, "192.0.2.1", body)).get(60, TimeUnit.SECONDS);
            }
        }

        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), port, controllerPort);
                KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerProps(kafka))) {
            consumer.subscribe(List.of(Topics.MAIL_INBOUND));
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            ConsumerRecords<String, byte[]> records = ConsumerRecords.empty();
            while (records.isEmpty() && System.nanoTime() < deadline) {
                records = consumer.poll(Duration.ofSeconds(1));
            }
            assertEquals(1, records.count());
            assertArrayEquals(body, records.iterator().next().value());
        }
    }

    @Test
    void postgresKeepsItsDataAcrossARestart() throws Exception {
        int port = Ports.free();
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dir.resolve("pg"), port, false);
                Connection c = connect(pg); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE kept (v text)");
            s.execute("INSERT INTO kept VALUES ('still here')");
        }
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dir.resolve("pg"), port, false);
                Connection c = connect(pg); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT v FROM kept")) {
            assertTrue(rs.next());
            assertEquals("still here", rs.getString(1));
        }
    }

    private static Connection connect(EmbeddedPostgresServer pg) throws Exception {
        return DriverManager.getConnection(pg.jdbcUrl(), EmbeddedPostgresServer.USER, EmbeddedPostgresServer.PASSWORD);
    }

    private static Properties producerProps(EmbeddedKafka kafka) {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("acks", "all");
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        return p;
    }

    private static Properties consumerProps(EmbeddedKafka kafka) {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("group.id", "restart-check");
        p.put("auto.offset.reset", "earliest");
        p.put("key.deserializer", StringDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        return p;
    }
}
