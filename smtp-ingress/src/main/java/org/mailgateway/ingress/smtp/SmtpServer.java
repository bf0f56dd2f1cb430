package org.mailgateway.ingress.smtp;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PfxOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;
import org.mailgateway.ingress.access.BlocklistConsumer;
import org.mailgateway.ingress.access.ConnectionLimiter;
import org.mailgateway.ingress.config.SmtpConfig;
import org.mailgateway.ingress.messaging.InboundPublisher;
import org.mailgateway.ingress.messaging.SessionPublisher;

/**
 * Starts the SMTP listener at application start: one {@link NetServer} per event loop on the same port
 * (Vert.x spreads the connections over them), each connection served by an {@link SmtpConnection}; and,
 * when configured, a second port on which every connection must begin with a PROXY protocol header.
 * Start-up fails if a port cannot be bound or the TLS or AUTH configuration is broken.
 *
 * <p>On shutdown (SIGTERM) new connections and new commands get {@code 421 4.3.2}, every transaction in
 * flight may finish within the grace period, and only then are the listeners closed and the Kafka producer
 * flushed, so that no message that got its {@code 250} is lost.
 */
@ApplicationScoped
public class SmtpServer {

    private static final Logger LOG = Logger.getLogger(SmtpServer.class);

    private final Vertx vertx;
    private final SmtpConfig config;
    private final InboundPublisher publisher;
    private final SessionPublisher sessions;
    private final BlocklistConsumer blocklist;
    private final IngressMetrics metrics;
    private final OpenConnections open = new OpenConnections();
    private final List<String> deployments = new ArrayList<>();
    private volatile boolean listening;

    public SmtpServer(Vertx vertx, SmtpConfig config, InboundPublisher publisher, SessionPublisher sessions,
            BlocklistConsumer blocklist, MeterRegistry registry) {
        this.vertx = vertx;
        this.config = config;
        this.publisher = publisher;
        this.sessions = sessions;
        this.blocklist = blocklist;
        this.metrics = new IngressMetrics(registry);
    }

    void start(@Observes StartupEvent event) throws Exception {
        NetServerOptions base = new NetServerOptions()
                .setHost(config.host())
                .setTcpNoDelay(true)
                .setAcceptBacklog(1024)
                .setReuseAddress(true);
        boolean tlsAvailable = configureTls(base);
        SmtpSettings settings = SmtpSettings.from(config, tlsAvailable);
        SmtpServices services = new SmtpServices(publisher, sessions, blocklist.accessList(),
                new ConnectionLimiter(config.maxConnections(), config.maxConnectionsPerIp()), metrics, open, settings.hostname());
        int instances = config.eventLoops() > 0 ? config.eventLoops() : Runtime.getRuntime().availableProcessors();

        listen(new NetServerOptions(base).setPort(config.port()), settings, services, false, instances);
        if (config.proxyProtocol().port().isPresent()) {
            listen(new NetServerOptions(base).setPort(config.proxyProtocol().port().getAsInt()), settings, services, true, instances);
        }
        listening = true;
        LOG.infof("SMTP listening on %s:%d%s (%d event loops, %s), accepting mail for %s, relay allowed from %s, STARTTLS %s,"
                + " AUTH %s, PROXY protocol from %s", config.host(), config.port(),
                config.proxyProtocol().port().isPresent() ? " and PROXY-only port " + config.proxyProtocol().port().getAsInt() : "",
                instances, vertx.isNativeTransportEnabled() ? "epoll" : "Java NIO",
                config.acceptedDomains(), config.trustedNetworks(), tlsAvailable ? "offered" : "off",
                settings.credentials() == null ? "off" : settings.credentials().size() + " users"
                        + (settings.authRequiresTls() ? " (after STARTTLS)" : ""),
                settings.proxySources().isEmpty() ? "nowhere" : settings.proxySources());
    }

    private void listen(NetServerOptions options, SmtpSettings settings, SmtpServices services, boolean proxyOnly,
            int instances) throws Exception {
        String id = vertx.deployVerticle(() -> new AbstractVerticle() {
            @Override
            public void start(Promise<Void> started) {
                vertx.createNetServer(options)
                        .connectHandler(socket -> new SmtpConnection(socket, vertx, settings, services, proxyOnly).start())
                        .listen()
                        .<Void>mapEmpty()
                        .onComplete(started);
            }
        }, new DeploymentOptions().setInstances(instances))
                .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        deployments.add(id);
    }

    /** The certificate for STARTTLS; the server itself starts in plain text (STARTTLS upgrades a connection). */
    private boolean configureTls(NetServerOptions options) {
        SmtpConfig.Tls tls = config.tls();
        if (tls.keystore().isPresent()) {
            options.setKeyCertOptions(new PfxOptions().setPath(tls.keystore().get()).setPassword(tls.keystorePassword().orElse("")));
        } else if (tls.certificate().isPresent() && tls.key().isPresent()) {
            options.setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.certificate().get()).setKeyPath(tls.key().get()));
        } else if (tls.certificate().isPresent() || tls.key().isPresent()) {
            throw new IllegalStateException("gateway.smtp.tls.certificate and gateway.smtp.tls.key must be set together");
        } else {
            return false;
        }
        options.setSsl(false)
                .setEnabledSecureTransportProtocols(new LinkedHashSet<>(tls.protocols()))
                .setSslHandshakeTimeout(tls.handshakeTimeout().toMillis())
                .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
        return true;
    }

    void stop(@Observes ShutdownEvent event) throws Exception {
        listening = false;
        long graceMillis = config.shutdown().grace().toMillis();
        long deadline = System.currentTimeMillis() + graceMillis;
        // New connections get 421 4.3.2 from here on, open sessions finish their transaction. The listeners stay
        // bound meanwhile: closing a Vert.x NetServer would also close the connections it accepted.
        open.drain();
        LOG.infof("shutting down: %d SMTP sessions open, waiting up to %d ms for transactions in flight", open.size(), graceMillis);
        while (open.size() > 0 && System.currentTimeMillis() < deadline) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
        if (open.size() > 0) {
            LOG.warnf("shutdown grace period over: closing %d sessions", open.size());
            open.closeAll();
        }
        List<Future<Void>> closing = new ArrayList<>();
        for (String id : deployments) {
            closing.add(vertx.undeploy(id));
        }
        Future.join(closing).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    public boolean isListening() {
        return listening;
    }

    public IngressMetrics metrics() {
        return metrics;
    }
}
