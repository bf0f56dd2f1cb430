package org.mailgateway.admin.service;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.jboss.logging.Logger;
import org.mailgateway.admin.config.AdminConfig;
import org.mailgateway.admin.messaging.BlocklistPublisher;
import org.mailgateway.admin.rest.ProblemException;
import org.mailgateway.admin.store.ClientStore;
import org.mailgateway.contracts.BlockEntry;
import org.mailgateway.contracts.Cidr;
import org.mailgateway.contracts.RuleHit;

/**
 * The block and allow lists: list, add and remove entries on {@code policy.blocklist}, preview the impact of a
 * block on the mail store, and export the active blocks for a firewall. An entry added or removed here is in
 * the lists as soon as Kafka acknowledged it (read-your-writes), before this instance reads it back.
 */
@ApplicationScoped
public class BlocklistService {

    private static final Logger LOG = Logger.getLogger(BlocklistService.class);
    static final int MAX_REASON = 500;
    static final int MAX_DAYS = 366;

    private final BlocklistView view;
    private final BlocklistPublisher publisher;
    private final ClientStore clients;
    private final AdminConfig config;
    private final Clock clock;

    public BlocklistService(BlocklistView view, BlocklistPublisher publisher, ClientStore clients, AdminConfig config) {
        this.view = view;
        this.publisher = publisher;
        this.clients = clients;
        this.config = config;
        this.clock = Clock.systemUTC();
    }

    /** What {@code POST /blocklist} and {@code POST /allowlist} take. */
    public record NewEntry(String cidr, String reason, String expires) {
    }

    /** One entry as the API shows it; {@code hits} = connections it refused (block) or sessions it covered (allow). */
    public record EntryView(String cidr, BlockEntry.Kind kind, BlockEntry.Source source, String reason, Instant createdAt,
            Instant expiresAt, boolean active, String createdBy, int offence, long hits, List<RuleHit> ruleHits) {
    }

    /**
     * What blocking {@code cidr} would have refused in the last {@code days} days: the mail (by sender domain) and
     * the SMTP sessions ({@code sessions}: all of them, with their relay attempts and addresses).
     */
    public record Impact(String cidr, int days, Instant since, long delivered, long quarantined, long released,
            long addresses, List<ClientStore.DomainCount> senderDomains, ClientStore.RangeSessions sessions,
            List<EntryView> allowEntriesInside) {
    }

    /** The entries of one kind, active only unless {@code all}, with their hit counts. */
    public Uni<List<EntryView>> list(BlockEntry.Kind kind, boolean all) {
        Instant now = clock.instant();
        List<BlockEntry> entries = view.all().stream()
                .filter(e -> e.kind() == kind && (all || e.activeAt(now))).toList();
        return clients.entryHits(entries.stream()
                        .map(e -> new ClientStore.EntryKey(e.cidr(), e.kind().name(), e.createdAt())).toList())
                .map(hits -> entries.stream().map(e -> view(e, now, hits)).toList());
    }

    /** Adds (or replaces: one entry per CIDR) an entry made by the operator whose key is {@code keyName}. */
    public Uni<EntryView> add(BlockEntry.Kind kind, NewEntry request, String keyName) {
        if (request == null) {
            throw ProblemException.badRequest("a JSON body {\"cidr\", \"reason\", \"expires\"} is required");
        }
        Cidr cidr = cidr(request.cidr());
        if (cidr.prefixLength() == 0) {
            throw ProblemException.badRequest("cidr: " + cidr + " would cover every address");
        }
        String reason = reason(request.reason());
        Instant now = clock.instant();
        Instant expiresAt = expiry(request.expires(), now);
        BlockEntry entry = new BlockEntry(cidr.toString(), kind, BlockEntry.Source.ADMIN, reason, List.of(), now, expiresAt,
                0, keyName);
        return publisher.publish(entry)
                .onFailure().transform(BlocklistService::kafkaUnavailable)
                .map(written -> {
                    applyWritten(cidr, entry, written);
                    LOG.infof("%s %s added by %s until %s: %s", kind, cidr, keyName,
                            expiresAt == null ? "further notice" : expiresAt, reason);
                    return view(entry, now, Map.of());
                });
    }

    /** Removes the entry of {@code cidrText} (which must be of {@code kind}) with a tombstone. */
    public Uni<Void> remove(BlockEntry.Kind kind, String cidrText, String keyName) {
        Cidr cidr = cidr(cidrText == null ? null : cidrText.replace('_', '/'));
        BlockEntry current = view.get(cidr);
        if (current == null || current.kind() != kind) {
            throw ProblemException.notFound("no " + kind.name().toLowerCase() + " entry for " + cidr
                    + (current == null ? "" : " (its entry is a " + current.kind().name().toLowerCase() + " entry)"));
        }
        return publisher.remove(cidr.toString())
                .onFailure().transform(BlocklistService::kafkaUnavailable)
                .map(written -> {
                    applyWritten(cidr, null, written);
                    LOG.infof("%s %s removed by %s", kind, cidr, keyName);
                    return null;
                });
    }

    /** The active block entries as text for a firewall. */
    public String export(String format) {
        FirewallExport.Format parsed;
        try {
            parsed = FirewallExport.Format.parse(format);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest(e.getMessage());
        }
        Instant now = clock.instant();
        List<Cidr> blocked = view.all().stream()
                .filter(e -> e.kind() == BlockEntry.Kind.BLOCK && e.activeAt(now))
                .map(e -> Cidr.parse(e.cidr())).toList();
        return FirewallExport.render(parsed, blocked, now);
    }

    /** How much mail came from {@code cidrText} in the last {@code days} days, and from which sender domains. */
    public Uni<Impact> impact(String cidrText, Integer days) {
        Cidr cidr = cidr(cidrText);
        int window = days == null ? 7 : days;
        if (window < 1 || window > MAX_DAYS) {
            throw ProblemException.badRequest("days must be between 1 and " + MAX_DAYS);
        }
        Instant now = clock.instant();
        Instant since = now.minus(Duration.ofDays(window));
        List<EntryView> allows = view.all().stream()
                .filter(e -> e.kind() == BlockEntry.Kind.ALLOW && e.activeAt(now) && overlaps(cidr, Cidr.parse(e.cidr())))
                .map(e -> view(e, now, Map.of())).toList();
        String range = cidr.toString();
        return Uni.combine().all().unis(clients.impact(range, since),
                        clients.impactDomains(range, since, config.admin().clients().impactTopDomains()),
                        clients.rangeSessions(range, since)).asTuple()
                .map(t -> new Impact(range, window, since, t.getItem1().delivered(), t.getItem1().quarantined(),
                        t.getItem1().released(), t.getItem1().addresses(), t.getItem2(), t.getItem3(), allows));
    }

    private void applyWritten(Cidr cidr, BlockEntry entry, RecordMetadata written) {
        view.apply(cidr, entry, written.partition(), written.offset());
    }

    private static EntryView view(BlockEntry e, Instant now, Map<String, Long> hits) {
        return new EntryView(e.cidr(), e.kind(), e.source(), e.reason(), e.createdAt(), e.expiresAt(), e.activeAt(now),
                e.createdBy(), e.offence(), hits.getOrDefault(e.cidr(), 0L), e.hits());
    }

    /** A CIDR as the caller wrote it; host bits set is an error that names the network meant. */
    static Cidr cidr(String text) {
        if (text == null || text.isBlank()) {
            throw ProblemException.badRequest("cidr: required, e.g. 203.0.113.0/24, 203.0.113.7 or 2001:db8::/48");
        }
        if (text.length() > 64) {
            throw ProblemException.badRequest("cidr: longer than 64 characters");
        }
        try {
            return Cidr.parse(text);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("cidr: " + e.getMessage());
        }
    }

    static String reason(String text) {
        if (text == null || text.isBlank()) {
            throw ProblemException.badRequest("reason: required; the SMTP client is told it when refused");
        }
        String reason = text.strip();
        if (reason.length() > MAX_REASON) {
            throw ProblemException.badRequest("reason: longer than " + MAX_REASON + " characters");
        }
        if (reason.chars().anyMatch(Character::isISOControl)) {
            throw ProblemException.badRequest("reason: contains a control character (line breaks are not allowed)");
        }
        return reason;
    }

    /** {@code expires}: empty = never; an ISO-8601 duration from now (P7D, PT12H) or an instant (2026-12-01T00:00:00Z). */
    static Instant expiry(String text, Instant now) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String value = text.strip();
        Instant at;
        try {
            at = value.startsWith("P") || value.startsWith("p") ? now.plus(Duration.parse(value)) : Instant.parse(value);
        } catch (DateTimeParseException | ArithmeticException e) {
            throw ProblemException.badRequest("expires: '" + value
                    + "' is neither an ISO-8601 duration (P7D, PT12H) nor an instant (2026-12-01T00:00:00Z)");
        }
        if (!at.isAfter(now)) {
            throw ProblemException.badRequest("expires: " + at + " is not in the future");
        }
        return at;
    }

    private static boolean overlaps(Cidr a, Cidr b) {
        return FirewallExport.contains(a, b) || FirewallExport.contains(b, a);
    }

    private static Throwable kafkaUnavailable(Throwable cause) {
        if (cause instanceof ProblemException) {
            return cause;
        }
        LOG.warnf("policy.blocklist write failed: %s", cause.toString());
        return new ProblemException(Response.Status.SERVICE_UNAVAILABLE,
                "Kafka did not acknowledge the change; it may not have been applied, try again (" + cause.getClass().getSimpleName() + ")");
    }
}
