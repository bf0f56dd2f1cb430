package org.mailgateway.admin.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.mailgateway.admin.config.AdminConfig;
import org.mailgateway.admin.preview.TextPreview;
import org.mailgateway.admin.rest.ProblemException;
import org.mailgateway.admin.store.Position;
import org.mailgateway.admin.store.QueueStore;
import org.mailgateway.admin.store.RawStore;
import org.mailgateway.contracts.ContractJson;
import org.mailgateway.contracts.Envelope;
import org.mailgateway.contracts.MessageIds;
import org.mailgateway.contracts.RuleHit;
import org.mailgateway.smtp.codec.HeaderSection;

/**
 * The deferred queue by next hop: what waits where and why, one message and its bytes, retry now, remove. Removing
 * marks the pending recipients {@code FAILED} with "removed from the queue by &lt;key&gt;" as their last reply (the
 * message's history and the per-client counts stay true) and drops the bytes once no recipient needs them.
 */
@ApplicationScoped
public class QueueService {

    /** The delivery states a list may ask for; {@code pending} = QUEUED and DEFERRED (the default). */
    static final List<String> STATES = List.of("QUEUED", "DEFERRED", "DELIVERED", "FAILED", "EXPIRED");
    private static final int MAX_DESTINATION = 300;

    private final QueueStore store;
    private final RawStore raw;
    private final Inputs inputs;
    private final AdminConfig config;
    private final ObjectMapper json;

    public QueueService(QueueStore store, RawStore raw, Inputs inputs, AdminConfig config, ObjectMapper json) {
        this.store = store;
        this.raw = raw;
        this.inputs = inputs;
        this.config = config;
        this.json = json;
    }

    /** A next hop with pending mail. */
    public record Destination(String destination, long deferred, long queued, long messages, Instant oldest,
            Instant nextAttemptAt, Instant lastAttemptAt, String lastError) {
    }

    /** One recipient's delivery: where, in which state, how often tried, when next, the last reply. */
    public record Delivery(String recipient, String destination, String state, int attempts, Instant nextAttemptAt,
            Instant lastAttemptAt, String lastReply, Instant deliveredAt, boolean inDelivery) {
    }

    /** One message in a queue list with its recipients of that destination and state. */
    public record QueuedSummary(String id, Instant receivedAt, String clientIp, String mailFrom, String subject, int size,
            List<Delivery> deliveries) {
    }

    public record Page(List<QueuedSummary> items, String nextCursor) {
    }

    /** One message of the queue with every recipient, its headers and a text preview. */
    public record QueuedMessage(String id, String action, Envelope envelope, double score, List<RuleHit> hits, int size,
            Instant releasedAt, String releasedBy, List<Delivery> deliveries, List<HeaderSection.Field> headers,
            List<TextPreview.Part> parts, boolean previewIncomplete, boolean bytesKept) {
    }

    /** What a flush did: recipients made due now, and how many stay pending (including those in delivery). */
    public record Flushed(String destination, int recipientsDue, long pending) {
    }

    /** What a removal did. */
    public record Removed(String target, int recipientsRemoved, int messages, long stillPending) {
    }

    public Uni<List<Destination>> destinations() {
        return store.destinations(config.admin().maxPageSize()).map(rows -> rows.stream()
                .map(r -> new Destination(r.destination(), r.deferred(), r.queued(), r.messages(), r.oldest(), r.nextAttemptAt(),
                        r.lastAttemptAt(), r.lastError()))
                .toList());
    }

    /**
     * @param destination a next hop ({@code host:port}), or null for all
     * @param state       one of {@link #STATES}, or {@code pending}/null for QUEUED and DEFERRED
     */
    public Uni<Page> messages(String destination, String state, Integer limit, String cursor) {
        String hop = destination(destination);
        List<String> states = states(state);
        int size = inputs.pageSize(limit);
        Position after = Cursors.decode(cursor);
        return store.messages(hop, states, after, size + 1).map(rows -> {
            List<QueueStore.QueuedRow> shown = rows.size() > size ? rows.subList(0, size) : rows;
            String next = rows.size() > size ? Cursors.encode(shown.get(shown.size() - 1).receivedAt(), shown.get(shown.size() - 1).id()) : null;
            return new Page(shown.stream().map(r -> new QueuedSummary(r.id(), r.receivedAt(), r.clientIp(), r.mailFrom(),
                    r.subject(), r.size(), deliveries(r.deliveriesJson()))).toList(), next);
        });
    }

    public Uni<QueuedMessage> message(String id) {
        requireId(id);
        return store.find(id, config.admin().previewBytes()).map(found -> found.map(row -> {
            TextPreview.Preview preview = TextPreview.of(row.head(), row.head().length < row.rawLength(),
                    config.admin().previewLength());
            return new QueuedMessage(row.id(), row.action(), ContractJson.read(bytes(row.envelopeJson()), Envelope.class),
                    row.score(), Arrays.asList(ContractJson.read(bytes(row.hitsJson()), RuleHit[].class)), row.size(),
                    row.releasedAt(), row.releasedBy(), deliveries(row.deliveriesJson()), HeaderSection.parse(row.head()),
                    preview.parts(), preview.incomplete(), row.rawLength() > 0);
        }).orElseThrow(() -> notFound(id)));
    }

    public Uni<RawMessage> raw(String id) {
        requireId(id);
        return raw.length(RawStore.Kind.QUEUE, id).map(length -> length.map(n -> new RawMessage(id, n, raw.chunks(id, n)))
                .orElseThrow(() -> ProblemException.notFound("no bytes kept for message " + id
                        + " (unknown, quarantined, or every recipient has it)")));
    }

    /** Makes every pending recipient of a destination due now; the delivery loop takes them at its next round. */
    public Uni<Flushed> flush(String destination) {
        String hop = requiredDestination(destination);
        return store.flush(hop).chain(due -> store.pending(hop).map(pending -> {
            if (pending == 0) {
                throw ProblemException.notFound("nothing pending for destination " + hop);
            }
            return new Flushed(hop, due, pending);
        }));
    }

    /** Removes one message's pending recipients; 409 while one of them is being delivered. */
    public Uni<Removed> removeMessage(String id, String by) {
        requireId(id);
        return store.removeMessage(id, reason(by)).map(result -> {
            QueueStore.Removed removed = result.orElseThrow(() -> ProblemException.notFound(
                    "message " + id + " has no recipient waiting in the queue"));
            if (removed.inDelivery() > 0) {
                throw new ProblemException(Response.Status.CONFLICT, "message " + id + " is being delivered right now ("
                        + removed.inDelivery() + " recipients); nothing was removed, try again when the attempt is over");
            }
            return new Removed(id, removed.recipients(), removed.messages(), 0);
        });
    }

    /** Removes every pending recipient of a destination except those being delivered right now (reported). */
    public Uni<Removed> removeDestination(String destination, String by) {
        String hop = requiredDestination(destination);
        return store.removeDestination(hop, reason(by)).map(removed -> {
            if (removed.recipients() == 0 && removed.inDelivery() == 0) {
                throw ProblemException.notFound("nothing pending for destination " + hop);
            }
            return new Removed(hop, removed.recipients(), removed.messages(), removed.inDelivery());
        });
    }

    private static String reason(String by) {
        return "removed from the queue by " + by;
    }

    private List<Delivery> deliveries(String text) {
        try {
            return Arrays.asList(json.readValue(text, Delivery[].class));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable deliveries from the store", e);
        }
    }

    private String destination(String value) {
        String hop = inputs.text("destination", value);
        if (hop != null && hop.length() > MAX_DESTINATION) {
            throw ProblemException.badRequest("destination: at most " + MAX_DESTINATION + " characters");
        }
        return hop;
    }

    private String requiredDestination(String value) {
        String hop = destination(value);
        if (hop == null) {
            throw ProblemException.badRequest("destination: the next hop as host:port, as GET /api/v1/queue/destinations lists it");
        }
        return hop;
    }

    private static List<String> states(String state) {
        if (state == null || state.isBlank() || state.strip().equalsIgnoreCase("pending")) {
            return List.of("QUEUED", "DEFERRED");
        }
        String upper = state.strip().toUpperCase(Locale.ROOT);
        if (!STATES.contains(upper)) {
            throw ProblemException.badRequest("state: one of pending, " + String.join(", ", STATES).toLowerCase(Locale.ROOT));
        }
        return List.of(upper);
    }

    private static void requireId(String id) {
        if (!MessageIds.isValid(id)) {
            throw notFound(id);
        }
    }

    private static ProblemException notFound(String id) {
        return ProblemException.notFound("no message " + id + " in the delivery queue");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
