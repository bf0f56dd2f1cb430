package org.mailgateway.localstack;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a {@link Stack} keeps its data, which ports it uses, how many instances of each service it runs and
 * what configuration it gives the services (as environment variables, the form MicroProfile Config reads,
 * e.g. {@code GATEWAY_DELIVERY_ROUTES}).
 *
 * <p>Instance {@code k} (0-based) of a service listens on its own ports: in tests free ones; otherwise the
 * configured port plus {@code k * }{@link #INSTANCE_PORT_STEP} (HTTP, and SMTP for smtp-ingress), so
 * {@code ingress=2} means SMTP on 2525 and 2625, HTTP on 8081 and 8181.
 */
public final class StackOptions {

    /** The distance between the ports of two instances of one service outside tests. */
    public static final int INSTANCE_PORT_STEP = 100;

    private Path projectDir = Path.of(".");
    private Path dataDir = Path.of(".gateway-data");
    private int kafkaPort = 19092;
    private int kafkaControllerPort = 19093;
    private int postgresPort = 15432;
    private Optional<Path> postgresBinaries = Optional.empty();
    private int smtpPort = 2525;
    private boolean durable = true;
    private boolean freePorts = false;
    private final Map<GatewayService, Integer> httpPorts = new EnumMap<>(GatewayService.class);
    private final Map<GatewayService, Integer> instances = new EnumMap<>(GatewayService.class);
    /** Ports of the instances after the first, chosen when they were added (tests: free ports). */
    private final Map<GatewayService, List<Integer>> extraHttpPorts = new EnumMap<>(GatewayService.class);
    private final List<Integer> extraSmtpPorts = new ArrayList<>();
    private final Map<String, String> environment = new HashMap<>();

    /** Defaults for tests: free ports (never those of a running local stack) and no fsync. */
    public static StackOptions forTests(Path projectDir, Path dataDir) {
        StackOptions options = new StackOptions().projectDir(projectDir).dataDir(dataDir)
                .kafkaPorts(Ports.free(), Ports.free()).postgresPort(Ports.free()).smtpPort(Ports.free());
        options.durable = false;
        options.freePorts = true;
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

    /** PostgreSQL binaries installed on the machine to run instead of the embedded ones (see SystemPostgresBinaries). */
    public StackOptions postgresBinaries(Optional<Path> binDir) {
        this.postgresBinaries = binDir;
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

    /**
     * Runs {@code count} instances of {@code service}, each with its own HTTP port (and SMTP port for
     * smtp-ingress), all on the same Kafka and PostgreSQL: Kafka's consumer groups share the partitions.
     */
    public StackOptions scale(GatewayService service, int count) {
        if (count < 1) {
            throw new IllegalArgumentException(service.module() + ": at least one instance, not " + count);
        }
        instances.put(service, count);
        return this;
    }

    /**
     * Reads a scale such as {@code ingress=2,policy=2,queue=2}; a service is named by its module
     * ({@code smtp-ingress}) or by the module's first word ({@code ingress}, {@code policy}, {@code queue},
     * {@code admin}).
     */
    public StackOptions scale(String spec) {
        if (spec == null || spec.isBlank()) {
            return this;
        }
        for (String entry : spec.split(",")) {
            String[] parts = entry.trim().split("=", 2);
            if (parts.length != 2) {
                throw new IllegalArgumentException("'" + entry + "' is not service=count (e.g. ingress=2)");
            }
            GatewayService service = GatewayService.named(parts[0].trim());
            try {
                scale(service, Integer.parseInt(parts[1].trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + entry + "': the count is not a number", e);
            }
        }
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

    public Optional<Path> postgresBinaries() {
        return postgresBinaries;
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

    public int instances(GatewayService service) {
        return instances.getOrDefault(service, 1);
    }

    /** The HTTP port of instance {@code index} (0-based) of {@code service}. */
    public synchronized int instanceHttpPort(GatewayService service, int index) {
        if (index == 0) {
            return httpPort(service);
        }
        return extraPort(extraHttpPorts.computeIfAbsent(service, s -> new ArrayList<>()), index, httpPort(service));
    }

    /** The SMTP port of smtp-ingress instance {@code index} (0-based). */
    public synchronized int instanceSmtpPort(int index) {
        return index == 0 ? smtpPort : extraPort(extraSmtpPorts, index, smtpPort);
    }

    private int extraPort(List<Integer> chosen, int index, int first) {
        while (chosen.size() < index) {
            int k = chosen.size() + 1;
            chosen.add(freePorts ? Ports.free() : first + k * INSTANCE_PORT_STEP);
        }
        return chosen.get(index - 1);
    }

    public Map<String, String> environment() {
        return Map.copyOf(environment);
    }
}
