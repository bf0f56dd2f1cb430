package org.mailgateway.admin.security;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import org.mailgateway.admin.config.AdminConfig;
import org.mailgateway.admin.store.ConsoleSessionStore;

/**
 * The web console's logins. A login with a valid API key opens a session: a random 256-bit id (the cookie's value;
 * never the key), stored only as its SHA-256 in {@code admin.console_session} (so every admin-api replica knows it
 * and a database reader cannot use it) with the key's name, a random CSRF token for the session's forms and an
 * expiry {@code gateway.admin.console.session-timeout} after the login. The key itself is not kept. At each request
 * the key's role is looked up by its name in {@link ApiKeys}: a key removed from the key file, or deleted over the API,
 * ends its sessions.
 */
@ApplicationScoped
public class ConsoleSessions {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final ConsoleSessionStore store;
    private final ApiKeys keys;
    private final Duration timeout;
    private final Clock clock = Clock.systemUTC();

    public ConsoleSessions(ConsoleSessionStore store, ApiKeys keys, AdminConfig config) {
        this.store = store;
        this.keys = keys;
        this.timeout = config.admin().console().sessionTimeout();
    }

    /** A live console session: its id (the cookie's value), the key that logged in, its forms' CSRF token. */
    public record Session(String id, ApiKey key, String csrfToken) {
    }

    /** Opens a session for a key that was just presented and found valid. */
    public Uni<Session> open(ApiKey key) {
        Session session = new Session(random(), key, random());
        return store.insert(hash(session.id()), key.name(), session.csrfToken(), clock.instant().plus(timeout))
                .replaceWith(session);
    }

    /** The live session of a cookie value, if any (not expired, its key still configured or still in the table). */
    public Uni<Optional<Session>> find(String id) {
        if (id == null || id.isEmpty() || id.length() > 64) {
            return Uni.createFrom().item(Optional.empty());
        }
        return store.find(hash(id)).chain(row -> row.isEmpty() ? Uni.createFrom().item(Optional.<Session>empty())
                : keys.byName(row.get().keyName()).map(key -> key.map(k -> new Session(id, k, row.get().csrfToken()))));
    }

    /** Ends a session (logout). */
    public Uni<Void> close(Session session) {
        return store.delete(hash(session.id()));
    }

    /** Sets the notice the next page of this session shows once. */
    public Uni<Void> notice(Session session, String notice) {
        return store.setNotice(hash(session.id()), notice);
    }

    /** The notice set by the last action, once; null when there is none. */
    public Uni<String> takeNotice(Session session) {
        return store.takeNotice(hash(session.id()));
    }

    /** How long a new session lasts (the cookie's Max-Age). */
    public Duration timeout() {
        return timeout;
    }

    private static String hash(String id) {
        return HexFormat.of().formatHex(ApiKeys.sha256(id));
    }

    private static String random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
