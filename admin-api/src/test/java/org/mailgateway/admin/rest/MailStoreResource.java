package org.mailgateway.admin.rest;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.mailgateway.localstack.Ports;
import org.mailgateway.localstack.postgres.EmbeddedPostgresServer;
import org.mailgateway.localstack.testing.EmbeddedInfrastructure;

/**
 * A real PostgreSQL with the mail store schema, applied from queue-service's migrations (the schema's one
 * definition; the path comes from the build, property {@code mail-store.migrations}), and the shared embedded
 * Kafka broker. admin-api applies its own migrations (schema admin) at start over the JDBC URL.
 */
public class MailStoreResource implements QuarkusTestResourceLifecycleManager {

    /** Init argument {@code kafka=down}: point admin-api at a port where no broker listens. */
    private boolean kafkaDown;

    @Override
    public void init(Map<String, String> args) {
        kafkaDown = "down".equals(args.get("kafka"));
    }

    @Override
    public Map<String, String> start() {
        EmbeddedPostgresServer pg = EmbeddedInfrastructure.postgres();
        Flyway.configure()
                .dataSource(pg.jdbcUrl(), EmbeddedPostgresServer.USER, EmbeddedPostgresServer.PASSWORD)
                .locations("filesystem:" + System.getProperty("mail-store.migrations"))
                .load()
                .migrate();
        return Map.of(
                "kafka.bootstrap.servers", kafkaDown ? "127.0.0.1:" + Ports.free() : EmbeddedInfrastructure.kafkaBootstrapServers(),
                "quarkus.datasource.reactive.url", pg.reactiveUrl(),
                "quarkus.datasource.jdbc.url", pg.jdbcUrl(),
                "quarkus.datasource.username", EmbeddedPostgresServer.USER,
                "quarkus.datasource.password", EmbeddedPostgresServer.PASSWORD);
    }

    @Override
    public void stop() {
    }
}
