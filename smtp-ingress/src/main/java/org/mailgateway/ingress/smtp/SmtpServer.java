package org.mailgateway.ingress.smtp;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PfxOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;
import org.mailgateway.ingress.access.BlocklistConsumer;
import org.mailgateway.ingress.access.ConnectionLimiter;
import org.mailgateway.ingress.config.SmtpConfig;
import org.mailgateway.ingress.messaging.InboundPublisher;
import org.mailgateway.ingress.messaging.SessionPublisher;

/**
 * Starts the SMTP listener at application start: a listening socket per event loop on the same port
 * ({@link SmtpListener}), each connection served by an {@link SmtpConnection} on the loop that accepted it; and,
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

    private final VertxInternal vertx;
    private final SmtpConfig config;
    private final InboundPublisher publisher;
    private final SessionPublisher sessions;
    private final BlocklistConsumer blocklist;
    private final IngressMetrics metrics;
    private final OpenConnections open = new OpenConnections();
    private final List<SmtpListener> listeners = new ArrayList<>();
    private volatile boolean listening;

    public SmtpServer(Vertx vertx, SmtpConfig config, InboundPublisher publisher, SessionPublisher sessions,
            BlocklistConsumer blocklist, MeterRegistry registry) {
        this.vertx = (VertxInternal) vertx;
        this.config = config;
        this.publisher = publisher;
        this.sessions = sessions;
        this.blocklist = blocklist;
        this.metrics = new IngressMetrics(registry);
    }

    void start(@Observes StartupEvent event) throws Exception {
        SslContext sslContext = sslContext();
        SmtpSettings settings = SmtpSettings.from(config, sslContext != null);
        SmtpServices services = new SmtpServices(publisher, sessions, blocklist.accessList(),
                new ConnectionLimiter(config.maxConnections(), config.maxConnectionsPerIp()), metrics, open, settings.hostname());
        int loops = config.eventLoops() > 0 ? config.eventLoops() : Runtime.getRuntime().availableProcessors();
        long handshakeMillis = config.tls().handshakeTimeout().toMillis();

        listeners.add(SmtpListener.bind(vertx, config.host(), config.port(), loops, sslContext, handshakeMillis,
                socket -> new SmtpConnection(socket, vertx, settings, services, false).start()));
        if (config.proxyProtocol().port().isPresent()) {
            listeners.add(SmtpListener.bind(vertx, config.host(), config.proxyProtocol().port().getAsInt(), loops, sslContext,
                    handshakeMillis, socket -> new SmtpConnection(socket, vertx, settings, services, true).start()));
        }
        listening = true;
        LOG.infof("SMTP listening on %s:%d%s (%d event loops, %s), accepting mail for %s, relay allowed from %s, STARTTLS %s,"
                + " AUTH %s, PROXY protocol from %s", config.host(), config.port(),
                config.proxyProtocol().port().isPresent() ? " and PROXY-only port " + config.proxyProtocol().port().getAsInt() : "",
                listeners.get(0).loops(), vertx.isNativeTransportEnabled() ? "epoll" : "Java NIO",
                config.acceptedDomains(), config.trustedNetworks(), sslContext != null ? "offered" : "off",
                settings.credentials() == null ? "off" : settings.credentials().size() + " users"
                        + (settings.authRequiresTls() ? " (after STARTTLS)" : ""),
                settings.proxySources().isEmpty() ? "nowhere" : settings.proxySources());
    }

    /** The certificate for STARTTLS, or null when none is configured (the listener starts in plain text either way). */
    private SslContext sslContext() throws Exception {
        SmtpConfig.Tls tls = config.tls();
        KeyCertOptions keyCert;
        if (tls.keystore().isPresent()) {
            keyCert = new PfxOptions().setPath(tls.keystore().get()).setPassword(tls.keystorePassword().orElse(""));
        } else if (tls.certificate().isPresent() && tls.key().isPresent()) {
            keyCert = new PemKeyCertOptions().setCertPath(tls.certificate().get()).setKeyPath(tls.key().get());
        } else if (tls.certificate().isPresent() || tls.key().isPresent()) {
            throw new IllegalStateException("gateway.smtp.tls.certificate and gateway.smtp.tls.key must be set together");
        } else {
            return null;
        }
        return SslContextBuilder.forServer(keyCert.getKeyManagerFactory(vertx))
                .sslProvider(SslProvider.JDK)
                .protocols(tls.protocols())
                .build();
    }

    void stop(@Observes ShutdownEvent event) throws Exception {
        listening = false;
        long graceMillis = config.shutdown().grace().toMillis();
        long deadline = System.currentTimeMillis() + graceMillis;
        // New connections get 421 4.3.2 from here on, open sessions finish their transaction. The listeners stay
        // bound meanwhile, so that a client is told to come back later rather than find the port closed.
        open.drain();
        LOG.infof("shutting down: %d SMTP sessions open, waiting up to %d ms for transactions in flight", open.size(), graceMillis);
        while (open.size() > 0 && System.currentTimeMillis() < deadline) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
        if (open.size() > 0) {
            LOG.warnf("shutdown grace period over: closing %d sessions", open.size());
            open.closeAll();
        }
        for (SmtpListener listener : listeners) {
            listener.close();
        }
    }

    public boolean isListening() {
        return listening;
    }

    public IngressMetrics metrics() {
        return metrics;
    }
}
