package org.mailgateway.admin.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * admin-api settings. Each key also works as an environment variable (GATEWAY_ADMIN_KEY, GATEWAY_ADMIN_KEYS_FILE,
 * GATEWAY_DATA_DIR, ...).
 */
@ConfigMapping(prefix = "gateway")
public interface AdminConfig {

    /** The local stack's data directory; the generated admin key is kept there. */
    @WithDefault(".gateway-data")
    String dataDir();

    Admin admin();

    interface Admin {

        /**
         * The admin API key. When unset, one is generated at first start into {@code <data dir>/admin-api-key}
         * (readable by its owner only) and kept across restarts.
         */
        Optional<String> key();

        /**
         * A file of further API keys, one {@code name:role:sha256-hex} per line (role viewer, operator or admin;
         * the SHA-256 of the key in hex; {@code #} comments). Mount it from a Kubernetes Secret. Unset: only the
         * admin key above.
         */
        Optional<String> keysFile();

        /** Largest page a list call returns. */
        @WithDefault("500")
        int maxPageSize();

        /** Page size when the caller does not ask for one. */
        @WithDefault("50")
        int defaultPageSize();

        /**
         * Most messages one bulk action may touch; a filter that selects more is refused (400) and must be narrowed.
         */
        @WithDefault("10000")
        int maxBulkSize();

        /** Characters of text a message's preview shows at most (the rest is cut and marked). */
        @WithDefault("20000")
        int previewLength();

        /** Bytes of a message read for its headers and preview (a larger message is previewed from its start). */
        @WithDefault("1048576")
        int previewBytes();

        /** Longest text filter (sender, HELO, rule, ...) a list call accepts. */
        @WithDefault("256")
        int maxFilterLength();

        /**
         * How long an add or remove on a block or allow list waits for Kafka to acknowledge the record before it
         * answers 503. Kafka's own bootstrap address is {@code kafka.bootstrap.servers}.
         */
        @WithDefault("PT10S")
        Duration kafkaSendTimeout();

        /** Reading smtp.sessions into the per-client counters. */
        Sessions sessions();

        /** How the top-offender list scores a client. */
        Clients clients();

        /** The web console under {@code /console}. */
        Console console();
    }

    interface Console {

        /**
         * How long a console login lasts: the session ends this long after the login, whatever is done meanwhile
         * (then the login page asks for the key again).
         */
        @WithDefault("PT8H")
        Duration sessionTimeout();
    }

    interface Sessions {

        /** Whether admin-api reads smtp.sessions at all (the client views stay empty without it). */
        @WithDefault("true")
        boolean enabled();

        /** The consumer group; every admin-api instance shares it, so each session is counted once. */
        @WithDefault("admin-api-sessions")
        String groupId();

        /** Most session records stored in one database transaction. */
        @WithDefault("2000")
        int maxBatch();

        /** How long the per-client counters are kept (hours and HELO names last seen before that are deleted). */
        @WithDefault("P90D")
        Duration retention();

        /** How often the counters older than {@link #retention()} are deleted. */
        @WithDefault("PT1H")
        Duration retentionInterval();
    }

    interface Clients {

        /**
         * score = the sum of the verdict scores of the client's messages + this weight for each relay attempt
         * + {@link #authFailureWeight()} for each failed AUTH, all counted since {@code since}.
         */
        @WithDefault("5")
        double relayAttemptWeight();

        /** See {@link #relayAttemptWeight()}. */
        @WithDefault("2")
        double authFailureWeight();

        /** How many sender domains the impact preview of a block names. */
        @WithDefault("10")
        int impactTopDomains();
    }
}
