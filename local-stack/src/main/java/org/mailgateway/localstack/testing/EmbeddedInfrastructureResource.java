package org.mailgateway.localstack.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.mailgateway.localstack.Ports;
import org.mailgateway.localstack.postgres.EmbeddedPostgresServer;
import org.mailgateway.localstack.tls.SelfSignedKeystore;

/**
 * Points a {@code @QuarkusTest} at the module's shared {@link EmbeddedInfrastructure}. Arguments:
 * {@code kafka} (default true), {@code postgres} (default false), {@code smtp} (a free port for
 * {@code gateway.smtp.port} and a self-signed STARTTLS certificate, default false; read the port back with
 * {@link #smtpPort()}).
 */
public class EmbeddedInfrastructureResource implements QuarkusTestResourceLifecycleManager {

    private static volatile int smtpPort;

    private boolean kafka = true;
    private boolean postgres;
    private boolean smtp;

    @Override
    public void init(Map<String, String> args) {
        kafka = Boolean.parseBoolean(args.getOrDefault("kafka", "true"));
        postgres = Boolean.parseBoolean(args.getOrDefault("postgres", "false"));
        smtp = Boolean.parseBoolean(args.getOrDefault("smtp", "false"));
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>();
        if (kafka) {
            config.put("kafka.bootstrap.servers", EmbeddedInfrastructure.kafkaBootstrapServers());
        }
        if (postgres) {
            EmbeddedPostgresServer pg = EmbeddedInfrastructure.postgres();
            config.put("quarkus.datasource.reactive.url", pg.reactiveUrl());
            config.put("quarkus.datasource.jdbc.url", pg.jdbcUrl());
            config.put("quarkus.datasource.username", EmbeddedPostgresServer.USER);
            config.put("quarkus.datasource.password", EmbeddedPostgresServer.PASSWORD);
        }
        if (smtp) {
            if (smtpPort == 0) {
                smtpPort = Ports.free();
            }
            config.put("gateway.smtp.port", Integer.toString(smtpPort));
            Path keystore = SelfSignedKeystore.ensure(Path.of(System.getProperty("java.io.tmpdir"), "smtp-test.p12"), "gateway.test");
            config.put("gateway.smtp.tls.keystore", keystore.toString());
            config.put("gateway.smtp.tls.keystore-password", SelfSignedKeystore.PASSWORD);
        }
        return config;
    }

    @Override
    public void stop() {
        // shared by every test class of the JVM; EmbeddedInfrastructure stops it at exit
    }

    public static int smtpPort() {
        return smtpPort;
    }
}
