package org.mailgateway.ingress.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Everything an administrator can tune in the SMTP ingress. Each key also works as an environment variable. */
@ConfigMapping(prefix = "gateway.smtp")
public interface SmtpConfig {

    /** SMTP listen port: 25 in Kubernetes, 2525 in the local stack. */
    @WithDefault("2525")
    int port();

    /** Listen address. */
    @WithDefault("0.0.0.0")
    String host();

    /** The name in the banner, the EHLO reply and our Received: header; the machine's name when unset. */
    Optional<String> hostname();

    /** Domains the gateway accepts mail for (case-insensitive); any other recipient is relaying. */
    @WithDefault("example.test")
    List<String> acceptedDomains();

    /** CIDRs whose clients may relay to any domain. */
    @WithDefault("127.0.0.1/32")
    List<String> trustedNetworks();

    /** Largest message in octets, announced in EHLO (SIZE) and enforced at MAIL and at the end of DATA. */
    @WithDefault("10240000")
    long maxMessageSize();

    /** Recipients per transaction; RFC 5321 asks for at least 100. */
    @WithDefault("100")
    int maxRecipients();

    /** Longest command line in octets, CRLF included; longer ones get 500 5.5.2. */
    @WithDefault("1000")
    int maxLineLength();

    /** Refused commands in one session before it is closed with 421. */
    @WithDefault("20")
    int maxErrors();

    /**
     * What to do with a message line longer than 1000 octets (RFC 5321 section 4.5.3.1.6): {@code accept}
     * passes it on unchanged, {@code refuse} answers 550 5.6.0 at the end of DATA. Never truncated.
     */
    @WithDefault("accept")
    LongLines longMessageLines();

    enum LongLines {
        ACCEPT,
        REFUSE
    }

    /** Time a client may stay silent before the session is closed with 421 (RFC 5321 section 4.5.3.2). */
    @WithDefault("PT5M")
    Duration idleTimeout();

    /** Longest a whole session may last, whatever the client does; then 421 4.4.2 and close. */
    @WithDefault("PT30M")
    Duration maxSessionDuration();

    /** All SMTP connections this ingress holds at once; past it new ones get 421 4.7.0 and are closed. */
    @WithDefault("20000")
    int maxConnections();

    /** Connections one client IP may hold at once (trusted networks are exempt); past it 421 4.7.0. */
    @WithDefault("20")
    int maxConnectionsPerIp();

    /**
     * Time the banner is held back. A client that talks before it is refused with 554 (pregreet: spam
     * software that does not wait for the server). 0 turns the wait off; 1 to 6 seconds makes the check
     * meaningful. Trusted networks get the banner at once.
     */
    @WithDefault("PT0S")
    Duration bannerDelay();

    /** Under stress (many connections) silent clients are dropped sooner, as Postfix does. */
    Stress stress();

    interface Stress {

        /** Active connections above which the ingress is under stress; 0 means 80 % of max-connections. */
        @WithDefault("0")
        int connections();

        /** The idle timeout under stress. */
        @WithDefault("PT10S")
        Duration idleTimeout();
    }

    /** STARTTLS (RFC 3207). Offered when a certificate (PEM pair or PKCS#12 keystore) is configured. */
    Tls tls();

    interface Tls {

        /** PEM certificate chain file. */
        Optional<String> certificate();

        /** PEM private key file for {@link #certificate()}. */
        Optional<String> key();

        /** PKCS#12 keystore file, instead of the PEM pair (the local stack generates one). */
        Optional<String> keystore();

        /** Password of {@link #keystore()}; none when unset (an empty default would count as missing). */
        Optional<String> keystorePassword();

        /** Protocols offered. */
        @WithDefault("TLSv1.2,TLSv1.3")
        List<String> protocols();

        /** How long a TLS handshake may take. */
        @WithDefault("PT30S")
        Duration handshakeTimeout();
    }

    /** AUTH PLAIN and LOGIN (RFC 4954). Offered when a credentials file is configured. */
    Auth auth();

    interface Auth {

        /**
         * File of {@code user:pbkdf2-sha256:iterations:salt:hash} lines (salt and hash in base64); only salted
         * hashes, never passwords. See the README for how to make a line.
         */
        Optional<String> credentialsFile();

        /** AUTH only after STARTTLS, so that no password crosses the network in the clear. */
        @WithDefault("true")
        boolean requireTls();

        /** Name the authenticated user in the Received: header (otherwise only that AUTH succeeded). */
        @WithDefault("false")
        boolean showUserInReceived();
    }

    /** HAProxy PROXY protocol v1/v2, so the real client IP survives a load balancer. */
    ProxyProtocol proxyProtocol();

    interface ProxyProtocol {

        /**
         * CIDRs of load balancers whose connections must start with a PROXY header; {@code 0.0.0.0/0,::/0}
         * for a listener only a load balancer reaches. Connections from elsewhere are direct clients.
         */
        Optional<List<String>> sources();

        /** A second SMTP port on which every connection must start with a PROXY header. */
        java.util.OptionalInt port();

        /** How long a PROXY header may take to arrive. */
        @WithDefault("PT5S")
        Duration timeout();
    }

    /** Graceful shutdown on SIGTERM. */
    Shutdown shutdown();

    interface Shutdown {

        /**
         * How long transactions in flight may take to finish after SIGTERM; new commands get 421 4.3.2.
         * Keep it below the pod's terminationGracePeriodSeconds.
         */
        @WithDefault("PT25S")
        Duration grace();
    }

    /** The connect-time block list, read from {@code policy.blocklist}. */
    Blocklist blocklist();

    interface Blocklist {

        /** Refuse blocked clients at connect. */
        @WithDefault("true")
        boolean enabled();

        /**
         * A blocked IP's refused connections go to {@code smtp.sessions} as one summary per this period (the first
         * at once, the rest counted in {@code sessions}), so that a flood of refused connections does not become as
         * many Kafka records for the broker, policy-service and admin-api.
         */
        @WithDefault("PT1S")
        Duration summaryPeriod();
    }

    /**
     * Event loops serving SMTP, each with a listening socket of its own; 0 means one per CPU core. Never more than
     * Vert.x has ({@code quarkus.vertx.event-loops-pool-size}).
     */
    @WithDefault("0")
    int eventLoops();

    /** How the ingress hands accepted mail to Kafka. */
    KafkaSettings kafka();

    interface KafkaSettings {

        /**
         * How long Kafka may take to acknowledge a message (the producer's {@code delivery.timeout.ms}); past it
         * the client gets 451 4.3.0 and keeps the message. The client waits at most this plus {@link #maxBlock()}.
         */
        @WithDefault("PT15S")
        Duration deliveryTimeout();

        /** One produce request's timeout ({@code request.timeout.ms}); retried within the delivery timeout. */
        @WithDefault("PT5S")
        Duration requestTimeout();

        /** How long a send may wait for topic metadata or buffer space ({@code max.block.ms}). */
        @WithDefault("PT5S")
        Duration maxBlock();

        /**
         * Batching delay ({@code linger.ms}). The default 0 sends a message as soon as the producer's network thread
         * is free; the messages that arrive while earlier requests are in flight (up to five) go together in the next
         * one. Every client waits for its {@code 250} on this: against 2 ms, Kafka's acknowledgement came 1–1.5 ms
         * sooner, for the same CPU per message (docs/benchmarks.md, seventh pass).
         */
        @WithDefault("PT0S")
        Duration linger();

        /** Record compression: lz4 costs little CPU; zstd compresses better. */
        @WithDefault("lz4")
        String compression();

        /**
         * The bytes one partition's batch may hold ({@code batch.size}). Kafka gives a record larger than this a batch
         * of its own, and a produce request carries at most one batch per partition: at Kafka's 16 KiB every message
         * over 16 KiB went to the broker alone in its partition's request. 256 KiB lets a few 64 KiB messages share a
         * batch. The producer reserves a buffer of this size for each batch it opens (docs/benchmarks.md).
         */
        @WithDefault("262144")
        int batchSize();
    }
}
