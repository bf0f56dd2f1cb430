package org.mailgateway.admin.service;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.mailgateway.admin.config.AdminConfig;
import org.mailgateway.admin.rest.ProblemException;
import org.mailgateway.admin.store.BlockHistoryStore;
import org.mailgateway.admin.store.ClientStore;
import org.mailgateway.contracts.BlockEntry;
import org.mailgateway.contracts.Cidr;

/**
 * Everything known about one client address, and the top offenders. Sessions come from admin-api's counters
 * of {@code smtp.sessions}, messages and rule hits from the mail store, block and allow entries from
 * {@code policy.blocklist} (current view and stored history).
 */
@ApplicationScoped
public class ClientService {

    /** The rule name policy-service gives a DNS block list listing (policy-service DnsblRule.DNSBL). */
    public static final String DNSBL_RULE = "DNSBL";
    static final int HELO_NAMES_SHOWN = 50;
    static final int HOURS_SHOWN = 48;
    static final int LISTINGS_SHOWN = 20;
    static final int HISTORY_SHOWN = 100;
    static final Duration DEFAULT_SINCE = Duration.ofDays(7);
    static final int DEFAULT_TOP = 20;

    private final ClientStore store;
    private final BlockHistoryStore history;
    private final BlocklistView view;
    private final AdminConfig config;
    private final Clock clock = Clock.systemUTC();

    public ClientService(ClientStore store, BlockHistoryStore history, BlocklistView view, AdminConfig config) {
        this.store = store;
        this.history = history;
        this.view = view;
        this.config = config;
    }

    /** Session counters of one client; {@code blockedAtConnect} = sessions refused at connect by a block entry. */
    public record Sessions(long total, long blockedAtConnect, long messagesAccepted, long refusedCommands) {
    }

    public record HeloNames(long distinct, List<ClientStore.HeloCount> top) {
    }

    /** DNSBL rule hits in this client's messages: how many, and per listing (the hit's reason names the zone). */
    public record DnsblHits(long total, List<ClientStore.ReasonCount> listings) {
    }

    /**
     * Messages in the mail store: {@code delivered}/{@code deferred}/{@code failed} count recipients by delivery
     * state ({@code deferred} includes those queued for their first attempt).
     */
    public record Messages(long accepted, long quarantined, long released, long delivered, long deferred, long failed) {
    }

    /** The entries covering the address now (most specific first) and what the ingress decides: an allow wins. */
    public record Access(String decision, List<BlocklistService.EntryView> entries) {
    }

    public record ClientView(String ip, Instant firstSeen, Instant lastSeen, Sessions sessions, long relayAttempts,
            long authFailures, HeloNames heloNames, DnsblHits dnsblHits, Messages messages, Access access,
            List<BlockHistoryStore.HistoryRow> history, List<ClientStore.Hour> recentHours) {
    }

    public record TopClients(String sort, Instant since, String score, List<ClientStore.TopRow> clients) {
    }

    public Uni<ClientView> client(String ipText) {
        InetAddress address = address(ipText);
        String ip = address.getHostAddress();
        Instant now = clock.instant();
        Uni<ClientStore.Activity> activity = store.activity(ip);
        Uni<ClientStore.Helos> helos = store.helos(ip, HELO_NAMES_SHOWN);
        Uni<List<ClientStore.Hour>> hours = store.recentHours(ip, HOURS_SHOWN);
        Uni<ClientStore.Messages> messages = store.messages(ip);
        Uni<List<ClientStore.ReasonCount>> dnsbl = store.ruleHits(ip, DNSBL_RULE, LISTINGS_SHOWN);
        Uni<List<BlockHistoryStore.HistoryRow>> changes = history.covering(ip, HISTORY_SHOWN);
        return Uni.combine().all().unis(activity, helos, hours, messages, dnsbl, changes).asTuple().map(t -> {
            ClientStore.Activity a = t.getItem1();
            ClientStore.Messages m = t.getItem4();
            Map<String, Long> states = m.recipientsByState();
            List<BlockEntry> covering = view.covering(address).stream().filter(e -> e.activeAt(now)).toList();
            String decision = covering.stream().anyMatch(e -> e.kind() == BlockEntry.Kind.ALLOW) ? "ALLOWED"
                    : covering.isEmpty() ? "NONE" : "BLOCKED";
            List<BlocklistService.EntryView> entries = covering.stream()
                    .map(e -> new BlocklistService.EntryView(e.cidr(), e.kind(), e.source(), e.reason(), e.createdAt(),
                            e.expiresAt(), true, e.createdBy(), e.offence(), 0, e.hits()))
                    .toList();
            return new ClientView(ip, earliest(a.firstSeen(), m.firstMessage()), latest(a.lastSeen(), m.lastMessage()),
                    new Sessions(a.sessions(), a.blockedSessions(), a.messagesAccepted(), a.refusedCommands()),
                    a.relayAttempts(), a.authFailures(), new HeloNames(t.getItem2().distinct(), t.getItem2().top()),
                    new DnsblHits(t.getItem5().stream().mapToLong(ClientStore.ReasonCount::count).sum(), t.getItem5()),
                    new Messages(m.deliver(), m.quarantined(), m.released(), states.getOrDefault("DELIVERED", 0L),
                            states.getOrDefault("DEFERRED", 0L) + states.getOrDefault("QUEUED", 0L),
                            states.getOrDefault("FAILED", 0L) + states.getOrDefault("EXPIRED", 0L)),
                    new Access(decision, entries), t.getItem6(), t.getItem3());
        });
    }

    /**
     * The top clients since {@code since} (an instant, or a duration back from now; default 7 days).
     *
     * @param sort {@code score} (default), {@code relayAttempts} or {@code heloNames}
     */
    public Uni<TopClients> top(String sort, String since, Integer limit) {
        ClientStore.TopSort order = sort(sort);
        Instant now = clock.instant();
        Instant from = since(since, now);
        int size = limit == null ? DEFAULT_TOP : limit;
        if (size < 1 || size > config.admin().maxPageSize()) {
            throw ProblemException.badRequest("limit must be between 1 and " + config.admin().maxPageSize());
        }
        AdminConfig.Clients weights = config.admin().clients();
        String formula = "sum of verdict scores + " + weights.relayAttemptWeight() + " x relay attempts + "
                + weights.authFailureWeight() + " x AUTH failures";
        return store.top(order, from, weights.relayAttemptWeight(), weights.authFailureWeight(), size)
                .map(rows -> new TopClients(sort == null || sort.isBlank() ? "score" : sort.strip(), from, formula, rows));
    }

    static ClientStore.TopSort sort(String sort) {
        if (sort == null || sort.isBlank()) {
            return ClientStore.TopSort.SCORE;
        }
        return switch (sort.strip()) {
            case "score" -> ClientStore.TopSort.SCORE;
            case "relayAttempts" -> ClientStore.TopSort.RELAY_ATTEMPTS;
            case "heloNames" -> ClientStore.TopSort.HELO_NAMES;
            default -> throw ProblemException.badRequest("sort must be score, relayAttempts or heloNames, not '" + sort + "'");
        };
    }

    static Instant since(String text, Instant now) {
        if (text == null || text.isBlank()) {
            return now.minus(DEFAULT_SINCE);
        }
        String value = text.strip();
        try {
            return value.startsWith("P") || value.startsWith("p") ? now.minus(Duration.parse(value)) : Instant.parse(value);
        } catch (DateTimeParseException | ArithmeticException e) {
            throw ProblemException.badRequest("since: '" + value
                    + "' is neither an ISO-8601 duration (P7D, PT12H) nor an instant (2026-11-01T00:00:00Z)");
        }
    }

    /** One address literal (IPv4 or IPv6), never a host name. */
    static InetAddress address(String text) {
        if (text == null || text.isBlank() || text.length() > 64) {
            throw ProblemException.badRequest("ip: an IPv4 or IPv6 address is required");
        }
        try {
            return InetAddress.getByAddress(Cidr.parseAddress(text.strip()));
        } catch (IllegalArgumentException | UnknownHostException e) {
            throw ProblemException.badRequest("ip: " + e.getMessage());
        }
    }

    private static Instant earliest(Instant a, Instant b) {
        return Stream.of(a, b).filter(java.util.Objects::nonNull).min(Instant::compareTo).orElse(null);
    }

    private static Instant latest(Instant a, Instant b) {
        return Stream.of(a, b).filter(java.util.Objects::nonNull).max(Instant::compareTo).orElse(null);
    }
}
