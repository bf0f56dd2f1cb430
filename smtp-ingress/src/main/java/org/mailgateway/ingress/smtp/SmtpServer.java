package org.mailgateway.ingress.smtp;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;
import org.mailgateway.ingress.config.SmtpConfig;
import org.mailgateway.ingress.messaging.InboundPublisher;

/**
 * Starts the SMTP listener at application start: one {@link NetServer} per event loop on the same port
 * (Vert.x spreads the connections over them), each connection served by an {@link SmtpConnection}.
 * Start-up fails if the port cannot be bound.
 */
@ApplicationScoped
public class SmtpServer {

    private static final Logger LOG = Logger.getLogger(SmtpServer.class);

    private final Vertx vertx;
    private final SmtpConfig config;
    private final InboundPublisher publisher;
    private final IngressMetrics metrics;
    private volatile String deploymentId;
    private volatile boolean listening;

    public SmtpServer(Vertx vertx, SmtpConfig config, InboundPublisher publisher, MeterRegistry registry) {
        this.vertx = vertx;
        this.config = config;
        this.publisher = publisher;
        this.metrics = new IngressMetrics(registry);
    }

    void start(@Observes StartupEvent event) throws Exception {
        SmtpSettings settings = SmtpSettings.from(config);
        String ingressName = settings.hostname();
        int instances = config.eventLoops() > 0 ? config.eventLoops() : Runtime.getRuntime().availableProcessors();
        NetServerOptions options = new NetServerOptions()
                .setHost(config.host())
                .setPort(config.port())
                .setTcpNoDelay(true)
                .setAcceptBacklog(1024)
                .setReuseAddress(true);
        deploymentId = vertx.deployVerticle(() -> new AbstractVerticle() {
            @Override
            public void start(Promise<Void> started) {
                vertx.createNetServer(options)
                        .connectHandler(socket -> new SmtpConnection(socket, vertx, settings, publisher, metrics, ingressName).start())
                        .listen()
                        .<Void>mapEmpty()
                        .onComplete(started);
            }
        }, new DeploymentOptions().setInstances(instances))
                .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        listening = true;
        LOG.infof("SMTP listening on %s:%d (%d event loops), accepting mail for %s, relay allowed from %s",
                config.host(), config.port(), instances, config.acceptedDomains(), config.trustedNetworks());
    }

    void stop(@Observes ShutdownEvent event) throws Exception {
        listening = false;
        if (deploymentId != null) {
            vertx.undeploy(deploymentId).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    public boolean isListening() {
        return listening;
    }

    public IngressMetrics metrics() {
        return metrics;
    }
}
