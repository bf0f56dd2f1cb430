package org.mailgateway.ingress.health;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.mailgateway.ingress.smtp.SmtpServer;

/** Live while the SMTP port is bound. Kafka's reachability is the readiness check of the Kafka extension. */
@Liveness
@ApplicationScoped
public class SmtpListenerHealthCheck implements HealthCheck {

    private final SmtpServer server;

    public SmtpListenerHealthCheck(SmtpServer server) {
        this.server = server;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("smtp-listener")
                .status(server.isListening())
                .withData("activeConnections", server.metrics().activeConnections())
                .build();
    }
}
