package org.mailgateway.admin.service;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;
import org.mailgateway.admin.rest.ProblemException;
import org.mailgateway.admin.security.ApiKeys;
import org.mailgateway.admin.security.Roles;
import org.mailgateway.admin.store.ApiKeyStore;

/**
 * An admin's part of the API keys: list every key (configured or made here), make a key (shown once, stored as its
 * SHA-256 only) and delete one made here. {@code local-admin} and the key file's keys are configured, not managed
 * here. A new key is 256 random bits, base64url, like the generated local-admin key.
 */
@ApplicationScoped
public class KeyService {

    private static final Logger LOG = Logger.getLogger(KeyService.class);

    private final ApiKeys keys;
    private final ApiKeyStore store;

    public KeyService(ApiKeys keys, ApiKeyStore store) {
        this.keys = keys;
        this.store = store;
    }

    /** What {@code POST /api/v1/keys} takes. */
    public record NewKey(String name, String role) {
    }

    /** One key as the list shows it: never its hash. {@code createdAt}, {@code createdBy}: keys made over the API only. */
    public record KeyView(String name, String role, String source, Instant createdAt, String createdBy) {
    }

    /** The answer to a creation: the only time the key itself is shown. */
    public record CreatedKey(String name, String role, String key, String source, Instant createdAt, String createdBy) {
    }

    /** Every key: local-admin, the key file's (in its order), then those made over the API by name. */
    public Uni<List<KeyView>> list() {
        return store.all().map(rows -> {
            List<KeyView> all = new ArrayList<>();
            keys.configured().forEach(c -> all.add(new KeyView(c.key().name(), c.key().role(), c.source().toString(), null, null)));
            rows.forEach(r -> all.add(new KeyView(r.name(), r.role(), ApiKeys.Source.API.toString(), r.createdAt(), r.createdBy())));
            return all;
        });
    }

    /** Makes a key for the admin {@code createdBy}; 400 for a bad name or role, 409 for a name in use. */
    public Uni<CreatedKey> create(NewKey request, String createdBy) {
        NewKey valid = validate(request);
        keys.configured(valid.name()).ifPresent(c -> {
            throw conflict(valid.name(), c.source());
        });
        String key = ApiKeys.newKey();
        return store.insert(valid.name(), valid.role(), ApiKeys.sha256Hex(key), createdBy).map(row -> {
            ApiKeyStore.KeyRow created = row.orElseThrow(() -> conflict(valid.name(), ApiKeys.Source.API));
            LOG.infof("API key %s (%s) made by %s", created.name(), created.role(), createdBy);
            return new CreatedKey(created.name(), created.role(), key, ApiKeys.Source.API.toString(), created.createdAt(),
                    created.createdBy());
        });
    }

    /** Deletes a key made over the API (and its console sessions); 409 for a configured one, 404 for none. */
    public Uni<Void> delete(String name) {
        keys.configured(name).ifPresent(c -> {
            throw new ProblemException(Response.Status.CONFLICT, "name: " + name + " is a " + c.source() + " key: it is configured, "
                    + "not managed here (" + (c.source() == ApiKeys.Source.GENERATED
                            ? "gateway.admin.key or the generated key file" : "the key file gateway.admin.keys-file") + ")");
        });
        return store.delete(name).map(deleted -> {
            if (!deleted) {
                throw ProblemException.notFound("name: no API key " + name);
            }
            LOG.infof("API key %s deleted", name);
            return null;
        });
    }

    /** The request with its role normalised; 400 naming the field when the body, name or role is not valid. */
    static NewKey validate(NewKey request) {
        if (request == null) {
            throw ProblemException.badRequest("a JSON body {\"name\", \"role\"} is required");
        }
        if (!ApiKeys.validName(request.name())) {
            throw ProblemException.badRequest("name: must be " + ApiKeys.NAME_RULE);
        }
        if (request.role() == null) {
            throw ProblemException.badRequest("role: one of " + String.join(", ", Roles.ALL));
        }
        try {
            return new NewKey(request.name(), Roles.parse(request.role()));
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("role: " + e.getMessage());
        }
    }

    private static ProblemException conflict(String name, ApiKeys.Source source) {
        return new ProblemException(Response.Status.CONFLICT, "name: a key named " + name + " exists already (source " + source + ")");
    }
}
