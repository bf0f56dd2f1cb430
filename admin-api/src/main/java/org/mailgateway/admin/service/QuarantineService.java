package org.mailgateway.admin.service;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.mailgateway.admin.config.AdminConfig;
import org.mailgateway.admin.rest.ProblemException;
import org.mailgateway.admin.store.QuarantineDetailRow;
import org.mailgateway.admin.store.QuarantineRow;
import org.mailgateway.admin.store.QuarantineStore;
import org.mailgateway.contracts.Cidr;
import org.mailgateway.contracts.ContractJson;
import org.mailgateway.contracts.Envelope;
import org.mailgateway.contracts.MessageIds;
import org.mailgateway.contracts.RuleHit;
import org.mailgateway.smtp.codec.HeaderSection;

/** Validates what callers ask for, pages the quarantine and shapes messages for reading. */
@ApplicationScoped
public class QuarantineService {

    private final QuarantineStore store;
    private final AdminConfig config;

    public QuarantineService(QuarantineStore store, AdminConfig config) {
        this.store = store;
        this.config = config;
    }

    /** A page of quarantined messages, newest first. */
    public record Page(List<QuarantineSummary> items, String nextCursor) {
    }

    /** One quarantined message in a list. */
    public record QuarantineSummary(String id, Instant receivedAt, String clientIp, String heloName, String mailFrom,
            List<String> recipients, String subject, int size, double score, List<String> rules) {
    }

    /** One quarantined message: where it came from, why it was held, what its headers say. */
    public record QuarantinedMessage(String id, Envelope envelope, double score, double threshold, List<RuleHit> hits,
            Instant decidedAt, int size, List<HeaderSection.Field> headers) {
    }

    /**
     * @param ip     an address or CIDR, or null
     * @param limit  page size, or null for the default
     * @param cursor {@code nextCursor} of the previous page, or null
     */
    public Uni<Page> page(String ip, Integer limit, String cursor) {
        String network = ip == null || ip.isBlank() ? null : network(ip);
        int size = limit == null ? config.admin().defaultPageSize() : limit;
        if (size < 1 || size > config.admin().maxPageSize()) {
            throw ProblemException.badRequest("limit must be between 1 and " + config.admin().maxPageSize());
        }
        QuarantineStore.Position after = cursor == null || cursor.isBlank() ? null : decodeCursor(cursor);
        return store.page(network, after, size + 1).map(rows -> {
            List<QuarantineRow> shown = rows.size() > size ? rows.subList(0, size) : rows;
            String next = rows.size() > size ? encodeCursor(shown.get(shown.size() - 1)) : null;
            return new Page(shown.stream().map(QuarantineService::summary).toList(), next);
        });
    }

    public Uni<QuarantinedMessage> message(String id) {
        return detail(id).map(row -> new QuarantinedMessage(row.id(), ContractJson.read(bytes(row.envelopeJson()), Envelope.class),
                row.score(), row.threshold(), hits(row.hitsJson()), row.decidedAt(), row.size(), HeaderSection.parse(row.raw())));
    }

    /** What a release did: how many recipients were queued for delivery. */
    public record Released(String id, int recipientsQueued) {
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
                throw ProblemException.notFound("no quarantined message " + id);
            }
            return null;
        });
    }

    private static void requireId(String id) {
        if (!MessageIds.isValid(id)) {
            throw ProblemException.notFound("no quarantined message " + id);
        }
    }

    /** The message exactly as the gateway received it (with its Received: header). */
    public Uni<byte[]> raw(String id) {
        return detail(id).map(QuarantineDetailRow::raw);
    }

    private Uni<QuarantineDetailRow> detail(String id) {
        if (!MessageIds.isValid(id)) {
            throw ProblemException.notFound("no quarantined message " + id);
        }
        return store.find(id).map(found -> found.orElseThrow(() -> ProblemException.notFound("no quarantined message " + id)));
    }

    private static String network(String ip) {
        try {
            return Cidr.parse(ip).toString();
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("ip: " + e.getMessage());
        }
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

    /** Cursor = base64url("epoch-microseconds:id") of the last row shown; opaque to callers. */
    static String encodeCursor(QuarantineRow last) {
        Instant t = last.receivedAt();
        long micros = t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
        return Base64.getUrlEncoder().withoutPadding().encodeToString((micros + ":" + last.id()).getBytes(StandardCharsets.US_ASCII));
    }

    static QuarantineStore.Position decodeCursor(String cursor) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
            int colon = text.indexOf(':');
            long micros = Long.parseLong(text.substring(0, colon));
            String id = text.substring(colon + 1);
            if (!MessageIds.isValid(id)) {
                throw new IllegalArgumentException("bad id");
            }
            Instant at = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
            return new QuarantineStore.Position(at, id);
        } catch (RuntimeException e) {
            throw ProblemException.badRequest("cursor: not a cursor this API returned");
        }
    }
}
