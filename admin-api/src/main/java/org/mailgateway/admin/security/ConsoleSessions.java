package org.mailgateway.admin.security;

import jakarta.enterprise.context.ApplicationScoped;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.mailgateway.admin.config.AdminConfig;

/**
 * The web console's logins, in this instance's memory only. A login with a valid API key opens a session: a random
 * 256-bit id (the cookie's value; never the key) mapped to the key's name and role, a random CSRF token for the
 * session's forms, and an expiry {@code gateway.admin.console.session-timeout} after the login. The key itself is
 * not kept. At most {@code max-sessions} sessions: a login beyond that ends the oldest one. A restart ends all.
 */
@ApplicationScoped
public class ConsoleSessions {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Duration timeout;
    private final int maxSessions;
    private final Clock clock = Clock.systemUTC();
    /** Insertion order = login order, so the first entry is the oldest session. */
    private final Map<String, Session> sessions = new LinkedHashMap<>();

    public ConsoleSessions(AdminConfig config) {
        this.timeout = config.admin().console().sessionTimeout();
        this.maxSessions = config.admin().console().maxSessions();
    }

    /**
     * One console login. {@code flash} is a one-line notice for the next page shown (what the last action did).
     */
    public static final class Session {
        private final String id;
        private final ApiKey key;
        private final String csrfToken;
        private final Instant expiresAt;
        private String flash;

        Session(String id, ApiKey key, String csrfToken, Instant expiresAt) {
            this.id = id;
            this.key = key;
            this.csrfToken = csrfToken;
            this.expiresAt = expiresAt;
        }

        public String id() {
            return id;
        }

        public ApiKey key() {
            return key;
        }

        public String csrfToken() {
            return csrfToken;
        }

        public Instant expiresAt() {
            return expiresAt;
        }

        /** Sets the notice the next page shows once. */
        public synchronized void flash(String notice) {
            this.flash = notice;
        }

        /** The notice set by the last action, once; null when there is none. */
        public synchronized String takeFlash() {
            String notice = flash;
            flash = null;
            return notice;
        }
    }

    /** Opens a session for a key that was just presented and found valid. */
    public synchronized Session open(ApiKey key) {
        Instant now = clock.instant();
        sessions.values().removeIf(s -> !s.expiresAt().isAfter(now));
        Iterator<String> oldest = sessions.keySet().iterator();
        while (sessions.size() >= maxSessions && oldest.hasNext()) {
            oldest.next();
            oldest.remove();
        }
        Session session = new Session(random(), key, random(), now.plus(timeout));
        sessions.put(session.id(), session);
        return session;
    }

    /** The live session of a cookie value, if any (an expired one is dropped). */
    public synchronized Optional<Session> find(String id) {
        if (id == null || id.isEmpty()) {
            return Optional.empty();
        }
        Session session = sessions.get(id);
        if (session != null && !session.expiresAt().isAfter(clock.instant())) {
            sessions.remove(id);
            return Optional.empty();
        }
        return Optional.ofNullable(session);
    }

    /** Ends a session (logout). */
    public synchronized void close(String id) {
        if (id != null) {
            sessions.remove(id);
        }
    }

    /** How long a new session lasts (the cookie's Max-Age). */
    public Duration timeout() {
        return timeout;
    }

    private static String random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
