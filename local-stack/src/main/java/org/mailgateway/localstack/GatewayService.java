package org.mailgateway.localstack;

import java.nio.file.Path;

/** The four services, their Maven modules and their default local HTTP ports. */
public enum GatewayService {
    ADMIN_API("admin-api", 8080),
    SMTP_INGRESS("smtp-ingress", 8081),
    POLICY_SERVICE("policy-service", 8082),
    QUEUE_SERVICE("queue-service", 8083);

    private final String module;
    private final int defaultHttpPort;

    GatewayService(String module, int defaultHttpPort) {
        this.module = module;
        this.defaultHttpPort = defaultHttpPort;
    }

    public String module() {
        return module;
    }

    public int defaultHttpPort() {
        return defaultHttpPort;
    }

    /** The service called {@code name}: its module name, or the module's first word ({@code ingress}, {@code queue}). */
    public static GatewayService named(String name) {
        for (GatewayService service : values()) {
            if (service.module.equals(name) || service.module.startsWith(name + "-") || service.module.endsWith("-" + name)) {
                return service;
            }
        }
        throw new IllegalArgumentException("no service called '" + name + "' (ingress, policy, queue, admin)");
    }

    /** How instance {@code index} (0-based) is called in logs and state: the module, then module-2, module-3... */
    public String instanceName(int index) {
        return index == 0 ? module : module + "-" + (index + 1);
    }

    /** The runnable Quarkus application that {@code ./mvnw package} builds. */
    public Path runnableJar(Path projectDir) {
        return projectDir.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
    }
}
