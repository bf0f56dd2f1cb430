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

    /** Time a client may stay silent before the session is closed with 421 (RFC 5321 section 4.5.3.2). */
    @WithDefault("PT5M")
    Duration idleTimeout();

    /** Event loops serving SMTP; 0 means one per CPU core. */
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

        /** Batching delay ({@code linger.ms}): a few milliseconds buy much larger batches under load. */
        @WithDefault("PT0.002S")
        Duration linger();

        /** Record compression: lz4 costs little CPU; zstd compresses better. */
        @WithDefault("lz4")
        String compression();
    }
}
