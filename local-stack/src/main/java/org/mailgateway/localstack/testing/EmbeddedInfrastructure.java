package org.mailgateway.localstack.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.mailgateway.localstack.Ports;
import org.mailgateway.localstack.kafka.EmbeddedKafka;
import org.mailgateway.localstack.kafka.GatewayTopics;
import org.mailgateway.localstack.postgres.EmbeddedPostgresServer;

/**
 * One real Kafka broker (in this JVM) and one real PostgreSQL per test JVM, started on first use on free
 * ports and shared by every test class of the module; stopped when the JVM exits. Tests may stop and start
 * the broker or PostgreSQL to see what clients observe while it is away.
 */
public final class EmbeddedInfrastructure {

    private static final Path DIR = createDirectory();
    private static int kafkaPort;
    private static int kafkaControllerPort;
    private static EmbeddedKafka kafka;
    private static int postgresPort;
    private static EmbeddedPostgresServer postgres;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(EmbeddedInfrastructure::stopAll, "embedded-infrastructure-stop"));
    }

    private EmbeddedInfrastructure() {
    }

    public static synchronized String kafkaBootstrapServers() {
        if (kafka == null) {
            if (kafkaPort == 0) {
                kafkaPort = Ports.free();
                kafkaControllerPort = Ports.free();
            }
            kafka = EmbeddedKafka.start(DIR.resolve("kafka"), kafkaPort, kafkaControllerPort);
            GatewayTopics.ensure(kafka.bootstrapServers(), Duration.ofMinutes(3), () -> { });
        }
        return kafka.bootstrapServers();
    }

    /** Stops the broker; its data and port are kept for {@link #startKafka()}. */
    public static synchronized void stopKafka() {
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
    }

    public static synchronized void startKafka() {
        kafkaBootstrapServers();
    }

    public static synchronized EmbeddedPostgresServer postgres() {
        if (postgres == null) {
            if (postgresPort == 0) {
                postgresPort = Ports.free();
            }
            postgres = EmbeddedPostgresServer.start(DIR.resolve("postgres"), postgresPort, false);
        }
        return postgres;
    }

    /** Stops PostgreSQL; its data and port are kept for {@link #startPostgres()}. */
    public static synchronized void stopPostgres() {
        if (postgres != null) {
            postgres.close();
            postgres = null;
        }
    }

    public static synchronized void startPostgres() {
        postgres();
    }

    private static synchronized void stopAll() {
        stopKafka();
        stopPostgres();
    }

    private static Path createDirectory() {
        try {
            return Files.createTempDirectory("embedded-infrastructure");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
