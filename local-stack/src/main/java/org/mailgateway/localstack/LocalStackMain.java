package org.mailgateway.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.mailgateway.localstack.process.ManagedProcess;
import org.mailgateway.localstack.process.ServiceProcess;

/**
 * The process behind {@code ./gateway up}: starts a {@link Stack}, writes {@code run/stack.env} (endpoints and
 * process ids for the script) and {@code run/ready}, restarts a service that dies, and stops everything in
 * order on SIGTERM ({@code ./gateway down}). Settings come from the environment:
 * {@code GATEWAY_PROJECT_DIR}, {@code GATEWAY_DATA_DIR}, {@code GATEWAY_SMTP_PORT}, {@code GATEWAY_KAFKA_PORT},
 * {@code GATEWAY_KAFKA_CONTROLLER_PORT}, {@code GATEWAY_POSTGRES_PORT}, {@code GATEWAY_POSTGRES_BINARIES} (a directory
 * of PostgreSQL programs installed on the machine, such as Debian's {@code /usr/lib/postgresql/15/bin}, to run
 * instead of the embedded ones: see docs/decisions/0006-message-bytes-compression.md) and
 * {@code GATEWAY_HTTP_PORT_<MODULE>} (e.g. {@code GATEWAY_HTTP_PORT_ADMIN_API}) and {@code GATEWAY_SCALE}
 * (instances per service, e.g. {@code ingress=2,policy=2,queue=2}; see {@link StackOptions#scale(String)});
 * every other
 * {@code GATEWAY_*} and {@code QUARKUS_*} variable reaches the services unchanged.
 */
public final class LocalStackMain {

    private static final Duration SUPERVISION_INTERVAL = Duration.ofSeconds(5);

    private LocalStackMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 1 || !args[0].equals("run")) {
            System.err.println("usage: LocalStackMain run   (started by ./gateway up)");
            System.exit(2);
        }
        Map<String, String> env = System.getenv();
        StackOptions options = new StackOptions()
                .projectDir(Path.of(env.getOrDefault("GATEWAY_PROJECT_DIR", ".")).toAbsolutePath().normalize())
                .dataDir(Path.of(env.getOrDefault("GATEWAY_DATA_DIR", ".gateway-data")).toAbsolutePath().normalize())
                .smtpPort(intEnv(env, "GATEWAY_SMTP_PORT", 2525))
                .kafkaPorts(intEnv(env, "GATEWAY_KAFKA_PORT", 19092), intEnv(env, "GATEWAY_KAFKA_CONTROLLER_PORT", 19093))
                .postgresPort(intEnv(env, "GATEWAY_POSTGRES_PORT", 15432))
                .postgresBinaries(Optional.ofNullable(env.get("GATEWAY_POSTGRES_BINARIES")).filter(s -> !s.isBlank()).map(Path::of));
        try {
            options.scale(env.get("GATEWAY_SCALE"));
        } catch (IllegalArgumentException e) {
            System.err.println("GATEWAY_SCALE: " + e.getMessage());
            System.exit(2);
        }
        for (GatewayService service : GatewayService.values()) {
            options.httpPort(service, intEnv(env, "GATEWAY_HTTP_PORT_" + service.module().toUpperCase().replace('-', '_'),
                    service.defaultHttpPort()));
        }

        Path runDir = options.dataDir().resolve("run");
        deleteIfExists(runDir.resolve("ready"));
        Stack stack = new Stack(options);
        CountDownLatch stopping = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping.countDown();
            log("stopping");
            deleteIfExists(runDir.resolve("ready"));
            stack.close();
            log("stopped");
        }, "stack-shutdown"));

        log("starting PostgreSQL, Kafka and the services; data in " + options.dataDir());
        try {
            stack.start();
        } catch (RuntimeException e) {
            log("start failed: " + e.getMessage());
            System.exit(1);
        }
        writeState(stack, runDir);
        log("ready: SMTP " + stack.smtpPorts().stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(", "))
                + "; admin API " + stack.adminUrl());
        supervise(stack, runDir, stopping);
    }

    /** Restarts the broker or a service that died (a crash must not take the local gateway down for good). */
    private static void supervise(Stack stack, Path runDir, CountDownLatch stopping) throws InterruptedException {
        while (!stopping.await(SUPERVISION_INTERVAL.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            if (!stack.kafka().isAlive() && stopping.getCount() > 0) {
                log("the Kafka broker exited; restarting it (see " + stack.kafka().logFile() + ")");
                try {
                    stack.startKafka();
                    writeState(stack, runDir);
                } catch (RuntimeException e) {
                    log("restart of the Kafka broker failed: " + e.getMessage());
                }
            }
            for (GatewayService service : GatewayService.values()) {
                List<ServiceProcess> instances = stack.instances(service);
                for (int i = 0; i < instances.size(); i++) {
                    ManagedProcess process = instances.get(i).process();
                    if (!process.isAlive() && stopping.getCount() > 0) {
                        log(process.name() + " exited; restarting it (see " + process.logFile() + ")");
                        try {
                            stack.restart(service, i);
                            writeState(stack, runDir);
                        } catch (RuntimeException e) {
                            log("restart of " + process.name() + " failed: " + e.getMessage());
                        }
                    }
                }
            }
        }
    }

    private static void writeState(Stack stack, Path runDir) {
        StringBuilder state = new StringBuilder();
        // the first instance under the plain keys (SMTP, PID_SMTP_INGRESS, HTTP_SMTP_INGRESS), the others with
        // their instance number (SMTP_2, PID_SMTP_INGRESS_2, HTTP_SMTP_INGRESS_2); INSTANCES_<MODULE> counts them
        List<Integer> smtpPorts = stack.smtpPorts();
        state.append("SMTP=127.0.0.1:").append(smtpPorts.get(0)).append('\n');
        for (int i = 1; i < smtpPorts.size(); i++) {
            state.append("SMTP_").append(i + 1).append("=127.0.0.1:").append(smtpPorts.get(i)).append('\n');
        }
        state.append("ADMIN_URL=").append(stack.adminUrl()).append('\n');
        state.append("KAFKA=").append(stack.kafkaBootstrapServers()).append('\n');
        state.append("POSTGRES=").append(stack.postgres().jdbcUrl()).append('\n');
        state.append("PID_LAUNCHER=").append(ProcessHandle.current().pid()).append('\n');
        state.append("PID_KAFKA=").append(stack.kafka().pid()).append('\n');
        for (GatewayService service : GatewayService.values()) {
            List<ServiceProcess> instances = stack.instances(service);
            String module = service.module().toUpperCase().replace('-', '_');
            state.append("INSTANCES_").append(module).append('=').append(instances.size()).append('\n');
            for (int i = 0; i < instances.size(); i++) {
                String key = i == 0 ? module : module + "_" + (i + 1);
                state.append("PID_").append(key).append('=').append(instances.get(i).process().pid()).append('\n');
                state.append("HTTP_").append(key).append('=').append(instances.get(i).baseUrl()).append('\n');
            }
        }
        try {
            Files.createDirectories(runDir);
            Path tmp = runDir.resolve("stack.env.tmp");
            Files.writeString(tmp, state, StandardCharsets.UTF_8);
            Files.move(tmp, runDir.resolve("stack.env"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.writeString(runDir.resolve("ready"), Instant.now() + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int intEnv(Map<String, String> env, String name, int fallback) {
        String value = env.get(name);
        return value == null || value.isBlank() ? fallback : Integer.parseInt(value.trim());
    }

    private static void deleteIfExists(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void log(String message) {
        System.out.println(Instant.now() + " local-stack: " + message);
    }
}
