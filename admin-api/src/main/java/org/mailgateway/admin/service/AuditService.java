package org.mailgateway.admin.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import org.mailgateway.admin.rest.ProblemException;
import org.mailgateway.admin.store.AuditStore;

/** Pages the audit log, newest first. */
@ApplicationScoped
public class AuditService {

    private final AuditStore store;
    private final Inputs inputs;
    private final ObjectMapper json;

    public AuditService(AuditStore store, Inputs inputs, ObjectMapper json) {
        this.store = store;
        this.inputs = inputs;
        this.json = json;
    }

    /** One mutating call: who, what, on what, when, with which result. */
    public record AuditEntry(long id, Instant at, String key, String role, String action, JsonNode target, int status) {
    }

    public record Page(List<AuditEntry> items, String nextCursor) {
    }

    public Uni<Page> page(String key, String action, String since, Integer limit, String cursor) {
        String keyFilter = inputs.text("key", key);
        String actionFilter = inputs.text("action", action);
        Instant from = inputs.time("since", since);
        int size = inputs.pageSize(limit);
        Long before = cursor == null || cursor.isBlank() ? null : decodeCursor(cursor);
        return store.page(keyFilter, actionFilter, from, before, size + 1).map(rows -> {
            List<AuditStore.AuditRow> shown = rows.size() > size ? rows.subList(0, size) : rows;
            String next = rows.size() > size ? Long.toString(shown.get(shown.size() - 1).id()) : null;
            return new Page(shown.stream().map(this::entry).toList(), next);
        });
    }

    private AuditEntry entry(AuditStore.AuditRow row) {
        try {
            return new AuditEntry(row.id(), row.at(), row.keyName(), row.role(), row.action(), json.readTree(row.targetJson()),
                    row.status());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("audit row " + row.id() + " has no JSON target", e);
        }
    }

    private static Long decodeCursor(String cursor) {
        try {
            long id = Long.parseLong(cursor);
            if (id < 1) {
                throw new NumberFormatException();
            }
            return id;
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest("cursor: not a cursor this API returned");
        }
    }
}
