package org.mailgateway.localstack;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/**
 * Where a {@link Stack} keeps its data, which ports it uses and what configuration it gives the services
 * (as environment variables, the form MicroProfile Config reads, e.g. {@code GATEWAY_DELIVERY_ROUTES}).
 */
public final class StackOptions {

    private Path projectDir = Path.of(".");
    private Path dataDir = Path.of(".gateway-data");
    private int kafkaPort = 19092;
    private int kafkaControllerPort = 19093;
    private int postgresPort = 15432;
    private int smtpPort = 2525;
    private boolean durable = true;
    private final Map<GatewayService, Integer> httpPorts = new EnumMap<>(GatewayService.class);
    private final Map<String, String> environment = new HashMap<>();

    /** Defaults for tests: free ports (never those of a running local stack) and no fsync. */
    public static StackOptions forTests(Path projectDir, Path dataDir) {
        StackOptions options = new StackOptions().projectDir(projectDir).dataDir(dataDir)
                .kafkaPorts(Ports.free(), Ports.free()).postgresPort(Ports.free()).smtpPort(Ports.free());
        options.durable = false;
        for (GatewayService service : GatewayService.values()) {
            options.httpPort(service, Ports.free());
        }
        return options;
    }

    public StackOptions projectDir(Path dir) {
        this.projectDir = dir;
        return this;
    }

    public StackOptions dataDir(Path dir) {
        this.dataDir = dir;
        return this;
    }

    public StackOptions kafkaPorts(int broker, int controller) {
        this.kafkaPort = broker;
        this.kafkaControllerPort = controller;
        return this;
    }

    public StackOptions postgresPort(int port) {
        this.postgresPort = port;
        return this;
    }

    public StackOptions smtpPort(int port) {
        this.smtpPort = port;
        return this;
    }

    public StackOptions httpPort(GatewayService service, int port) {
        httpPorts.put(service, port);
        return this;
    }

    /** Configuration for every service. */
    public StackOptions env(String name, String value) {
        environment.put(name, value);
        return this;
    }

    public Path projectDir() {
        return projectDir;
    }

    public Path dataDir() {
        return dataDir;
    }

    public int kafkaPort() {
        return kafkaPort;
    }

    public int kafkaControllerPort() {
        return kafkaControllerPort;
    }

    public int postgresPort() {
        return postgresPort;
    }

    public int smtpPort() {
        return smtpPort;
    }

    public boolean durable() {
        return durable;
    }

    public int httpPort(GatewayService service) {
        return httpPorts.getOrDefault(service, service.defaultHttpPort());
    }

    public Map<String, String> environment() {
        return Map.copyOf(environment);
    }
}
