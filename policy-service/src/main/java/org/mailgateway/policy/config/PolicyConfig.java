package org.mailgateway.policy.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Everything an administrator can tune in the policy service: rule scores, the per-IP windows, the DNS
 * blocklists and the automatic blocks. Each key also works as an environment variable
 * ({@code gateway.policy.window.length} is {@code GATEWAY_POLICY_WINDOW_LENGTH}). The prefix is {@code gateway}
 * because the DNS keys {@code gateway.dnsbl.zones} and {@code gateway.dns.servers} are named in the design.
 * List keys without a {@code @WithDefault} are empty when unset (an empty list has no value to write down).
 */
@ConfigMapping(prefix = "gateway")
public interface PolicyConfig {

    Policy policy();

    Dnsbl dnsbl();

    Dns dns();

    interface Policy {

        /** A message whose total score reaches this is quarantined instead of delivered. */
        @WithDefault("5.0")
        double quarantineThreshold();

        /**
         * Records judged at once: the next record is read while earlier verdicts wait for a DNS answer or for
         * Kafka's acknowledgement. Offsets are committed only up to the oldest unfinished record.
         */
        @WithDefault("64")
        int inFlight();

        /** Names this gateway uses for itself; a client that announces one of them in HELO is lying. */
        Optional<List<String>> ownNames();

        /** Addresses (CIDRs) of this gateway; a client that announces one of them as an address literal is lying. */
        Optional<List<String>> ownAddresses();

        /** CIDRs that are always welcome: they score {@code scores.static-allow} and are never blocked automatically. */
        Optional<List<String>> allowNetworks();

        /** CIDRs whose mail always scores {@code scores.static-block}. */
        Optional<List<String>> blockNetworks();

        /** Scores of the individual rules; 0 switches a rule off. */
        Scores scores();

        /** How many events per IP make a rule hit (the rule's score is added to the message). */
        Thresholds thresholds();

        /** The per-IP sliding windows. */
        Window window();

        /** Automatic block entries on {@code policy.blocklist}. */
        Block block();
    }

    interface Scores {

        /** GTUBE: the message contains the standard anti-spam test string. */
        @WithDefault("1000")
        double gtube();

        /** HELO_NOT_FQDN: the HELO name is neither a fully qualified domain name nor an address literal. */
        @WithDefault("2.5")
        double heloNotFqdn();

        /** HELO_BARE_IP: the HELO name is an IP address without the brackets of an address literal. */
        @WithDefault("2.0")
        double heloBareIp();

        /** HELO_OWN_NAME: the client announced our own name or address. */
        @WithDefault("5.0")
        double heloOwnName();

        /** HELO_ROTATION: the client's IP announced many different HELO names within the window. */
        @WithDefault("3.0")
        double heloRotation();

        /** RELAY_ATTEMPTS: the client's IP tried to relay (RCPT to foreign domains) within the window. */
        @WithDefault("4.0")
        double relayAttempts();

        /** MESSAGE_RATE: the client's IP sent many messages within the window. */
        @WithDefault("1.5")
        double messageRate();

        /** RECIPIENT_RATE: the client's IP addressed many recipients within the window. */
        @WithDefault("1.5")
        double recipientRate();

        /** SESSIONS_WITHOUT_MAIL: the client's IP opened many sessions that sent no message (probing). */
        @WithDefault("2.0")
        double sessionsWithoutMail();

        /** AUTH_FAILURES: the client's IP failed AUTH many times within the window (password guessing). */
        @WithDefault("3.0")
        double authFailures();

        /** STATIC_BLOCK: the client is inside {@code block-networks}. */
        @WithDefault("100")
        double staticBlock();

        /** STATIC_ALLOW: the client is inside {@code allow-networks} (a negative score lowers the total). */
        @WithDefault("-100")
        double staticAllow();

        /** POLICY_ERROR: a rule failed; the message is held for a person to look at rather than guessed about. */
        @WithDefault("1000")
        double policyError();
    }

    /** Counts within {@code window.length} at which a scoring rule hits. */
    interface Thresholds {

        /** Distinct HELO names from one IP. */
        @WithDefault("5")
        int heloNames();

        /** Refused relay recipients from one IP. */
        @WithDefault("1")
        int relayAttempts();

        /** Accepted messages from one IP. */
        @WithDefault("50")
        int messages();

        /** Accepted recipients from one IP (summed over its messages). */
        @WithDefault("200")
        int recipients();

        /** Sessions from one IP that ended without sending a message. */
        @WithDefault("10")
        int sessionsWithoutMail();

        /** Failed AUTH attempts from one IP. */
        @WithDefault("5")
        int authFailures();
    }

    interface Window {

        /** How far back the per-IP counts reach. A rebalance forgets at most this much history. */
        @WithDefault("PT10M")
        Duration length();

        /** IPs kept in memory; beyond this the least recently seen IP is forgotten (a flood cannot exhaust the heap). */
        @WithDefault("500000")
        int maxIps();

        /** Events kept per IP; beyond this the oldest are dropped, so counts saturate instead of growing without bound. */
        @WithDefault("256")
        int maxEventsPerIp();
    }

    /** Counts within {@code window.length} at which an IP is blocked at the door; 0 switches a trigger off. */
    interface Block {

        /** Whether the service publishes block entries at all (verdicts are scored either way). */
        @WithDefault("true")
        boolean enabled();

        /** Refused relay recipients from one IP. */
        @WithDefault("10")
        int relayAttempts();

        /** Distinct HELO names from one IP. */
        @WithDefault("10")
        int heloNames();

        /** Failed AUTH attempts from one IP. */
        @WithDefault("20")
        int authFailures();

        /** Sessions without mail from one IP. */
        @WithDefault("50")
        int sessionsWithoutMail();

        /** How long the first automatic block lasts. */
        @WithDefault("PT1H")
        Duration firstExpiry();

        /** Each repeat offence multiplies the previous block time by this. */
        @WithDefault("4")
        int escalation();

        /** No automatic block lasts longer than this. */
        @WithDefault("P7D")
        Duration maxExpiry();

        /** A block older than this no longer counts as a previous offence: the next one starts again at first-expiry. */
        @WithDefault("P30D")
        Duration offenceMemory();

        /**
         * Addresses of one /24 (IPv6: /64) that must have been blocked (within {@code range-look-back}) before the
         * whole range is blocked; 0 never blocks a range.
         */
        @WithDefault("3")
        int rangeAddresses();

        /** How far back blocks are counted, and how far back mail delivered from the range vetoes a range block. */
        @WithDefault("P1D")
        Duration rangeLookBack();

        /** Records older than this (a replayed backlog) feed the windows but never publish a block. */
        @WithDefault("PT10M")
        Duration maxRecordAge();
    }

    interface Dnsbl {

        /**
         * Zones to ask, comma separated, each {@code zone=weight[:filter]}. A negative weight makes the zone an
         * allowlist (DNSWL). The filter says which answers count: {@code 127.0.0.2-127.0.0.11} (a range),
         * {@code 127.0.0.4} (one address), {@code &0x0c} (the last octet shares a bit with the mask), several joined
         * with {@code |}. Without a filter any answer inside 127.0.0.0/8 counts. Empty: no DNS lookups at all.
         */
        Optional<List<String>> zones();

        /** How long one lookup may take; after that it scores nothing and counts as a timeout. */
        @WithDefault("PT1.5S")
        Duration timeout();

        /** Lookups in flight at most; beyond this a lookup is skipped (scores nothing, counted). */
        @WithDefault("256")
        int maxInFlight();

        /** How long a listing is remembered (the Vert.x DNS client does not report record TTLs). */
        @WithDefault("PT5M")
        Duration cacheTtl();

        /** How long "not listed" is remembered. */
        @WithDefault("PT1M")
        Duration negativeCacheTtl();

        /**
         * Consecutive timeouts after which a zone is not asked for {@code suspend-for}: a dead server then costs no
         * wait at all instead of the timeout on every message. 0 never suspends.
         */
        @WithDefault("5")
        int suspendAfter();

        /** How long a zone that kept timing out is not asked (its lookups count as {@code suspended}). */
        @WithDefault("PT30S")
        Duration suspendFor();

        /** Answers remembered at most (least recently used ones are forgotten first). */
        @WithDefault("100000")
        int cacheSize();
    }

    interface Dns {

        /** Resolvers as {@code host:port} (IPv6: {@code [::1]:53}), comma separated; empty uses the system's. Asked in turn. */
        Optional<List<String>> servers();
    }
}
