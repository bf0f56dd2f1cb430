package org.mailgateway.admin.service;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.mailgateway.admin.config.AdminConfig;
import org.mailgateway.admin.preview.TextPreview;
import org.mailgateway.admin.rest.ProblemException;
import org.mailgateway.admin.store.Position;
import org.mailgateway.admin.store.QuarantineDetailRow;
import org.mailgateway.admin.store.QuarantineFilter;
import org.mailgateway.admin.store.QuarantineRow;
import org.mailgateway.admin.store.QuarantineStore;
import org.mailgateway.admin.store.RawStore;
import org.mailgateway.contracts.ContractJson;
import org.mailgateway.contracts.Envelope;
import org.mailgateway.contracts.MessageIds;
import org.mailgateway.contracts.RuleHit;
import org.mailgateway.smtp.codec.HeaderSection;

/** Validates what callers ask for, pages the quarantine, shapes messages for reading, releases and deletes. */
@ApplicationScoped
public class QuarantineService {

    private final QuarantineStore store;
    private final RawStore raw;
    private final Inputs inputs;
    private final AdminConfig config;

    public QuarantineService(QuarantineStore store, RawStore raw, Inputs inputs, AdminConfig config) {
        this.store = store;
        this.raw = raw;
        this.inputs = inputs;
        this.config = config;
    }

    /** A page of quarantined messages, newest first. */
    public record Page(List<QuarantineSummary> items, String nextCursor) {
    }

    /** One quarantined message in a list. */
    public record QuarantineSummary(String id, Instant receivedAt, String clientIp, String heloName, String mailFrom,
            List<String> recipients, String subject, int size, double score, List<String> rules) {
    }

    /**
     * One quarantined message: where it came from, why it was held, what its headers say, a text preview of its
     * parts ({@code previewIncomplete} when the message was longer than what the preview read).
     */
    public record QuarantinedMessage(String id, Envelope envelope, double score, double threshold, List<RuleHit> hits,
            Instant decidedAt, int size, List<HeaderSection.Field> headers, List<TextPreview.Part> parts,
            boolean previewIncomplete) {
    }

    /** The search parameters as the API takes them (strings, checked here). */
    public record Search(String ip, String helo, String sender, String recipient, String rule, String minScore, String since,
            String until) {
    }

    /** What a bulk action asks for. */
    public record BulkRequest(Search filter, String action, Boolean dryRun) {
    }

    /**
     * What a bulk action found and did: {@code matched} messages; {@code affected} of them released or deleted (0
     * in a dry run); {@code recipientsQueued} by a release.
     */
    public record BulkOutcome(String action, boolean dryRun, int matched, int affected, int recipientsQueued) {
    }

    /** What a release did: how many recipients were queued for delivery. */
    public record Released(String id, int recipientsQueued) {
    }

    /**
     * @param limit  page size, or null for the default
     * @param cursor {@code nextCursor} of the previous page, or null
     */
    public Uni<Page> page(Search search, Integer limit, String cursor) {
        QuarantineFilter filter = filter(search);
        int size = inputs.pageSize(limit);
        Position after = Cursors.decode(cursor);
        return store.page(filter, after, size + 1).map(rows -> {
            List<QuarantineRow> shown = rows.size() > size ? rows.subList(0, size) : rows;
            String next = rows.size() > size ? Cursors.encode(shown.get(shown.size() - 1).receivedAt(), shown.get(shown.size() - 1).id()) : null;
            return new Page(shown.stream().map(QuarantineService::summary).toList(), next);
        });
    }

    public Uni<QuarantinedMessage> message(String id) {
        requireId(id);
        return store.find(id, config.admin().previewBytes())
                .map(found -> found.orElseThrow(() -> notFound(id)))
                .map(this::message);
    }

    private QuarantinedMessage message(QuarantineDetailRow row) {
        TextPreview.Preview preview = TextPreview.of(row.head(), row.head().length < row.rawLength(), config.admin().previewLength());
        return new QuarantinedMessage(row.id(), ContractJson.read(bytes(row.envelopeJson()), Envelope.class), row.score(),
                row.threshold(), hits(row.hitsJson()), row.decidedAt(), row.size(), HeaderSection.parse(row.head()),
                preview.parts(), preview.incomplete());
    }

    /** The message exactly as the gateway received it (with its Received: header), in chunks. */
    public Uni<RawMessage> raw(String id) {
        requireId(id);
        return raw.length(RawStore.Kind.QUARANTINE, id).map(length -> length.map(n -> new RawMessage(id, n, raw.chunks(id, n)))
                .orElseThrow(() -> notFound(id)));
    }

    /** Releases one message for delivery; {@code by} (the key's name) is stored with it. */
    public Uni<Released> release(String id, String by) {
        requireId(id);
        return store.release(id, by).map(queued -> {
            if (queued == 0) {
                throw ProblemException.notFound("no quarantined message " + id + " (unknown, already released or deleted)");
            }
            return new Released(id, queued);
        });
    }

    /** Deletes one message from the quarantine, bytes and all. */
    public Uni<Void> delete(String id) {
        requireId(id);
        return store.delete(id).map(deleted -> {
            if (!deleted) {
                throw notFound(id);
            }
            return null;
        });
    }

    /**
     * Counts (dry run, the default) or releases/deletes every message the filter selects, at most
     * {@code max-bulk-size}: a filter that selects more is refused so the operator narrows it.
     */
    public Uni<BulkOutcome> bulk(BulkRequest request, String by) {
        if (request == null) {
            throw ProblemException.badRequest("body: {\"filter\": {...}, \"action\": \"release\" | \"delete\", \"dryRun\": true}");
        }
        String action = request.action() == null ? "" : request.action().strip().toLowerCase(Locale.ROOT);
        if (!action.equals("release") && !action.equals("delete")) {
            throw ProblemException.badRequest("action: must be release or delete");
        }
        QuarantineFilter filter = filter(request.filter() == null ? new Search(null, null, null, null, null, null, null, null)
                : request.filter());
        boolean dryRun = request.dryRun() == null || request.dryRun();
        int max = config.admin().maxBulkSize();
        return store.count(filter, max + 1).chain(matched -> {
            if (matched > max) {
                throw ProblemException.badRequest("filter: selects more than " + max
                        + " messages, the most one bulk action may touch; narrow it (since/until, ip, rule, ...)");
            }
            if (dryRun) {
                return Uni.createFrom().item(new BulkOutcome(action, true, matched, 0, 0));
            }
            if (action.equals("release")) {
                return store.releaseMatching(filter, max, by)
                        .map(r -> new BulkOutcome(action, false, matched, r.messages(), r.recipients()));
            }
            return store.deleteMatching(filter, max).map(n -> new BulkOutcome(action, false, matched, n, 0));
        });
    }

    private QuarantineFilter filter(Search s) {
        return new QuarantineFilter(inputs.network("ip", s.ip()), inputs.text("helo", s.helo()), inputs.text("sender", s.sender()),
                inputs.text("recipient", s.recipient()), inputs.text("rule", s.rule()), inputs.number("minScore", s.minScore()),
                inputs.time("since", s.since()), inputs.time("until", s.until()));
    }

    private static void requireId(String id) {
        if (!MessageIds.isValid(id)) {
            throw notFound(id);
        }
    }

    private static ProblemException notFound(String id) {
        return ProblemException.notFound("no quarantined message " + id);
    }

    private static QuarantineSummary summary(QuarantineRow row) {
        return new QuarantineSummary(row.id(), row.receivedAt(), row.clientIp(), row.heloName(), row.mailFrom(),
                row.recipients(), row.subject(), row.size(), row.score(),
                hits(row.hitsJson()).stream().map(RuleHit::rule).toList());
    }

    private static List<RuleHit> hits(String json) {
        return Arrays.asList(ContractJson.read(bytes(json), RuleHit[].class));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
