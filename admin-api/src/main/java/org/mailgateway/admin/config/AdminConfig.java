package org.mailgateway.admin.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
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
    }
}
