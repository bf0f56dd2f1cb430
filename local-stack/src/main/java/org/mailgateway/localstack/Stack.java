package org.mailgateway.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.mailgateway.localstack.kafka.GatewayTopics;
import org.mailgateway.localstack.kafka.KafkaBrokerMain;
import org.mailgateway.localstack.postgres.EmbeddedPostgresServer;
import org.mailgateway.localstack.process.ManagedProcess;
import org.mailgateway.localstack.process.ServiceProcess;
import org.mailgateway.localstack.tls.SelfSignedKeystore;

/**
 * The whole gateway on one machine: a real PostgreSQL, a real Kafka broker (a child JVM) and the four
 * services (child JVMs, one or more instances each, see {@link StackOptions#scale}), wired together through
 * environment variables. {@code ./gateway up} runs one
 * through {@link LocalStackMain}; the system tests run one per test class and stop or kill its parts.
 *
 * <p>Data layout under {@link StackOptions#dataDir()}: {@code kafka/}, {@code postgres/}, {@code logs/}
 * and the admin API key file written by admin-api.
 */
public final class Stack implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofMinutes(4);
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final StackOptions options;
    /** Every service's instances, first instance first. */
    private final Map<GatewayService, List<ServiceProcess>> services = new EnumMap<>(GatewayService.class);
    private EmbeddedPostgresServer postgres;
    private ManagedProcess kafka;

    public Stack(StackOptions options) {
        this.options = options;
    }

    /** Starts everything and returns when every service reports ready. */
    public Stack start() {
        try {
            Files.createDirectories(options.dataDir());
            CompletableFuture<EmbeddedPostgresServer> pg = CompletableFuture.supplyAsync(() -> EmbeddedPostgresServer.start(
                    options.dataDir().resolve("postgres"), options.postgresPort(), options.durable(), options.postgresBinaries()));
            startKafka();
            postgres = pg.join();
            for (GatewayService service : GatewayService.values()) {
                List<ServiceProcess> instances = new ArrayList<>();
                for (int i = 0; i < options.instances(service); i++) {
                    instances.add(newService(service, i));
                }
                services.put(service, instances);
            }
            // queue-service owns the schema: let its first instance migrate before anything else reads the tables
            startService(GatewayService.QUEUE_SERVICE, 0);
            List<CompletableFuture<Void>> others = new ArrayList<>();
            for (GatewayService service : GatewayService.values()) {
                for (int i = 0; i < options.instances(service); i++) {
                    if (service != GatewayService.QUEUE_SERVICE || i > 0) {
                        int index = i;
                        others.add(CompletableFuture.runAsync(() -> startService(service, index)));
                    }
                }
            }
            CompletableFuture.allOf(others.toArray(CompletableFuture[]::new)).join();
            return this;
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            close();
            throw e instanceof CompletionException && e.getCause() instanceof RuntimeException re ? re : e;
        }
    }

    /** Stops PostgreSQL (an outage, for tests); the services keep running and must cope. */
    public void stopPostgres() {
        if (postgres != null) {
            postgres.close();
            postgres = null;
        }
    }

    /** Starts PostgreSQL again on the same data directory and port, after {@link #stopPostgres()}. */
    public void startPostgres() {
        if (postgres == null) {
            postgres = EmbeddedPostgresServer.start(options.dataDir().resolve("postgres"), options.postgresPort(),
                    options.durable(), options.postgresBinaries());
        }
    }

    /** Starts the broker (again, after {@link #kafka()} was stopped) and waits until it takes the topics. */
    public void startKafka() {
        if (kafka == null) {
            kafka = new ManagedProcess("kafka",
                    // the serial collector: the broker's CPU per message was 15-20 % lower than with G1 (docs/benchmarks.md)
                    ManagedProcess.java(List.of("-Xms128m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError",
                            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                            "-cp", System.getProperty("java.class.path")),
                            KafkaBrokerMain.class.getName(), options.dataDir().resolve("kafka").toString(),
                            Integer.toString(options.kafkaPort()), Integer.toString(options.kafkaControllerPort())),
                    Map.of(), options.dataDir().resolve("logs/kafka.log"));
        }
        kafka.start();
        GatewayTopics.ensure(kafkaBootstrapServers(), READY_TIMEOUT, () -> {
            if (!kafka.isAlive()) {
                throw new IllegalStateException("the Kafka broker exited while starting; its log ends with:\n"
                        + kafka.logTail(40));
            }
        });
    }

    private ServiceProcess newService(GatewayService service, int index) {
        int httpPort = options.instanceHttpPort(service, index);
        Map<String, String> env = new HashMap<>();
        // a laptop's gateway listens on loopback only; set the variables to listen on other addresses
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("GATEWAY_SMTP_HOST", "127.0.0.1");
        env.put("QUARKUS_HTTP_PORT", Integer.toString(httpPort));
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafkaBootstrapServers());
        env.put("GATEWAY_DATA_DIR", options.dataDir().toAbsolutePath().toString());
        env.put("GATEWAY_SMTP_PORT", Integer.toString(options.instanceSmtpPort(index)));
        Path keystore = SelfSignedKeystore.ensure(options.dataDir().resolve("tls").resolve("smtp.p12"), "localhost");
        env.put("GATEWAY_SMTP_TLS_KEYSTORE", keystore.toAbsolutePath().toString());
        env.put("GATEWAY_SMTP_TLS_KEYSTORE_PASSWORD", SelfSignedKeystore.PASSWORD);
        env.put("QUARKUS_DATASOURCE_REACTIVE_URL", postgres.reactiveUrl());
        env.put("QUARKUS_DATASOURCE_JDBC_URL", postgres.jdbcUrl());
        env.put("QUARKUS_DATASOURCE_USERNAME", EmbeddedPostgresServer.USER);
        env.put("QUARKUS_DATASOURCE_PASSWORD", EmbeddedPostgresServer.PASSWORD);
        env.putAll(options.environment());
        List<String> jvm = List.of("-Xms64m", "-Xmx384m", "-XX:+ExitOnOutOfMemoryError");
        ManagedProcess process = new ManagedProcess(service.instanceName(index),
                ManagedProcess.java(jvm, "-jar", service.runnableJar(options.projectDir()).toString()), env,
                options.dataDir().resolve("logs/" + service.instanceName(index) + ".log"));
        return new ServiceProcess(process, httpPort);
    }

    private void startService(GatewayService service, int index) {
        ServiceProcess process = services.get(service).get(index);
        if (!Files.exists(service.runnableJar(options.projectDir()))) {
            throw new IllegalStateException(service.runnableJar(options.projectDir()) + " is missing: build first");
        }
        process.start();
        process.awaitReady(READY_TIMEOUT);
    }

    /** Starts a service's first instance again (after a stop or a kill) and waits until it is ready. */
    public void restart(GatewayService service) {
        restart(service, 0);
    }

    /** Starts instance {@code index} (0-based) of a service again and waits until it is ready. */
    public void restart(GatewayService service, int index) {
        startService(service, index);
    }

    /** The first instance of a service. */
    public ServiceProcess service(GatewayService service) {
        return services.get(service).get(0);
    }

    /** Every instance of a service, first instance first. */
    public List<ServiceProcess> instances(GatewayService service) {
        return List.copyOf(services.get(service));
    }

    public ManagedProcess kafka() {
        return kafka;
    }

    public EmbeddedPostgresServer postgres() {
        return postgres;
    }

    public String kafkaBootstrapServers() {
        return "127.0.0.1:" + options.kafkaPort();
    }

    /** The SMTP port of the first smtp-ingress instance. */
    public int smtpPort() {
        return options.smtpPort();
    }

    /** The SMTP ports of every smtp-ingress instance. */
    public List<Integer> smtpPorts() {
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < options.instances(GatewayService.SMTP_INGRESS); i++) {
            ports.add(options.instanceSmtpPort(i));
        }
        return ports;
    }

    public String adminUrl() {
        return service(GatewayService.ADMIN_API).baseUrl();
    }

    /** The admin API key: the one configured, or the one admin-api generated on its first start. */
    public String adminKey() {
        String configured = options.environment().get("GATEWAY_ADMIN_KEY");
        if (configured != null) {
            return configured;
        }
        try {
            return Files.readString(options.dataDir().resolve("admin-api-key"), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("admin-api has not written its key yet", e);
        }
    }

    public StackOptions options() {
        return options;
    }

    /** Stops the services (gracefully, ingress first so no new mail arrives), then Kafka, then PostgreSQL. */
    @Override
    public void close() {
        for (GatewayService service : List.of(GatewayService.SMTP_INGRESS, GatewayService.POLICY_SERVICE,
                GatewayService.QUEUE_SERVICE, GatewayService.ADMIN_API)) {
            List<CompletableFuture<Void>> stops = new ArrayList<>();
            for (ServiceProcess process : services.getOrDefault(service, List.of())) {
                stops.add(CompletableFuture.runAsync(() -> process.process().stop(STOP_GRACE)));
            }
            CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).join();
        }
        if (kafka != null) {
            kafka.stop(STOP_GRACE);
        }
        if (postgres != null) {
            postgres.close();
        }
    }
}
