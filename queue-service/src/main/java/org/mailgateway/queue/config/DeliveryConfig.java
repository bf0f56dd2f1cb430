package org.mailgateway.queue.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** How and where the queue service delivers. Each key also works as an environment variable (GATEWAY_DELIVERY_...). */
@ConfigMapping(prefix = "gateway.delivery")
public interface DeliveryConfig {

    /**
     * The transport map: {@code domain=[host]:port} entries, comma separated; {@code *} matches every domain
     * without an entry of its own. Brackets mean "this host, no MX lookup", as in Postfix.
     */
    @WithDefault("*=[127.0.0.1]:2526")
    List<String> routes();

    /** The name the gateway announces in EHLO to the downstream; the machine's name when unset. */
    Optional<String> heloName();

    /** How often the delivery loop looks for due work (it is also woken when new mail arrives). */
    @WithDefault("PT1S")
    Duration pollInterval();

    /**
     * {@code mail.verdicts} records stored at once: the next record is read while earlier ones wait for
     * PostgreSQL. Offsets are committed only up to the oldest record not yet stored.
     */
    @WithDefault("64")
    int storeInFlight();

    /** At most this many messages go into one store transaction (group commit, see GroupCommit). */
    @WithDefault("64")
    int storeBatch();

    /** Rounds of the delivery loop that may run at once (each claims its own recipients). */
    @WithDefault("4")
    int roundsInFlight();

    /**
     * Bytes of just-stored mail kept in memory for its first delivery attempt, which then reads nothing back from
     * PostgreSQL; the oldest go first past this bound, and 0 turns it off.
     */
    @WithDefault("33554432")
    long recentContentBytes();

    /**
     * Recipients that may be in first attempts at once (decisions 0008 and 0009), each from before its store
     * transaction until its outcome is recorded, its message's bytes in memory meanwhile. Past it new mail waits for
     * room (first-attempt-wait) and the backlog stays in Kafka. First attempts run at most at this many recipients
     * divided by the time one takes (the README says how to size it). 0 turns first attempts off: all mail is stored
     * due, with its bytes.
     */
    @WithDefault("400")
    int firstAttemptRoom();

    /**
     * A message that arrives while fewer than first-attempt-room recipients are in first attempts is
     * attempted at once, its rows stored without its bytes. They are written only if the attempt does not deliver to
     * every recipient, or is still running after this long; its {@code mail.verdicts} record is acknowledged only
     * then (docs/decisions/0008-first-attempt-before-the-bytes.md). {@code PT0S} stores the bytes with the rows,
     * before the attempt.
     */
    @WithDefault("PT5S")
    Duration firstAttemptGrace();

    /**
     * How long a message waits for room when first-attempt-room recipients are in first attempts, before
     * it is stored due with its bytes for the delivery loop (then so is the mail after it, until a first attempt
     * ends). While it waits, reading {@code mail.verdicts} slows down: the backlog stays in Kafka. {@code PT0S}
     * stores due at once.
     */
    @WithDefault("PT1S")
    Duration firstAttemptWait();

    /** Recipients claimed per round of the delivery loop. */
    @WithDefault("100")
    int batchSize();

    /**
     * How long a claimed delivery belongs to one instance; the instance renews it every third of this while it
     * is still delivering, so after a crash another instance (or the restarted one) retries within this time.
     */
    @WithDefault("PT1M")
    Duration lease();

    @WithDefault("PT30S")
    Duration connectTimeout();

    /** How long to wait for each reply of the downstream (RFC 5321 section 4.5.3.2 suggests minutes). */
    @WithDefault("PT5M")
    Duration replyTimeout();

    /**
     * SMTP connections open at once to one next hop, per instance; a stalled destination holds only these. 20 is
     * Postfix's default_destination_concurrency_limit; with 10, first attempts waited for a connection three times as
     * long under a 64 KiB load (docs/benchmarks.md, "Connections to the next hop: 10 or 20").
     */
    @WithDefault("20")
    int connectionsPerDestination();

    /** An unused connection to a next hop is closed after this long. */
    @WithDefault("PT10S")
    Duration connectionIdleTimeout();

    /** Transactions sent over one connection before it is closed and a fresh one opened. */
    @WithDefault("100")
    int transactionsPerConnection();

    /** Use STARTTLS when a next hop offers it (certificates are not verified: opportunistic TLS, RFC 7435). */
    @WithDefault("true")
    boolean starttls();

    /**
     * Next hops ({@code [host]:port}, as in the routes) that get mail only over TLS: when they do not offer
     * STARTTLS or the handshake fails, the mail is deferred with the reason.
     */
    Optional<List<String>> tlsRequired();

    Retry retry();

    interface Retry {

        /** Wait before the first retry of a temporary failure. */
        @WithDefault("PT1M")
        Duration initial();

        /** Each further retry waits this much longer, up to {@link #max()}. */
        @WithDefault("2.0")
        double multiplier();

        @WithDefault("PT1H")
        Duration max();

        /** A message still undelivered after this long is expired and recorded as failed. */
        @WithDefault("P5D")
        Duration maxLifetime();
    }

    /** How long the store keeps what it no longer needs. */
    Retention retention();

    interface Retention {

        /** Quarantined mail older than this is deleted (its bytes, envelope and rule hits). */
        @WithDefault("P30D")
        Duration quarantine();

        /** Delivered, failed or expired mail (nothing pending) older than this is deleted with its delivery records. */
        @WithDefault("P7D")
        Duration finished();

        /** How often the sweep runs. */
        @WithDefault("PT1H")
        Duration interval();
    }
}
