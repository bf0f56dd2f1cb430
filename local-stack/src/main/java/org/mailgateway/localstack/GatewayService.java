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

    /** The runnable Quarkus application that {@code ./mvnw package} builds. */
    public Path runnableJar(Path projectDir) {
        return projectDir.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
    }
}
