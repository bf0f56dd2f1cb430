package org.mailgateway.queue.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The resolver for {@code mx} routes; the key is the one the policy service uses too (GATEWAY_DNS_SERVERS). */
@ConfigMapping(prefix = "gateway.dns")
public interface DnsConfig {

    /** Resolvers as {@code host:port} ({@code [::1]:53}), comma separated; the first is asked. Empty: the system's. */
    Optional<List<String>> servers();

    /** How long one MX or address lookup may take before the attempt is deferred. */
    @WithDefault("PT10S")
    Duration timeout();
}
