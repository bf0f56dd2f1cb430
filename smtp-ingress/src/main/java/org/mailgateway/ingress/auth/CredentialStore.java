package org.mailgateway.ingress.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The users who may AUTH, read from a file of {@code user:pbkdf2-sha256:...} lines ({@code #} comments and
 * blank lines allowed). Only salted hashes are held; an unknown user costs as much time as a known one, so
 * that timing does not tell which user names exist.
 */
public final class CredentialStore {

    private static final PasswordHash DUMMY = PasswordHash.parse(PasswordHash.create("not a password", PasswordHash.DEFAULT_ITERATIONS));

    private final Map<String, PasswordHash> users;

    private CredentialStore(Map<String, PasswordHash> users) {
        this.users = Map.copyOf(users);
    }

    /** @throws IllegalArgumentException naming the line that is wrong */
    public static CredentialStore load(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the AUTH credentials file " + file, e);
        }
        return parse(lines, file.toString());
    }

    public static CredentialStore parse(List<String> lines, String source) {
        Map<String, PasswordHash> users = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException(source + " line " + (i + 1) + ": expected user:" + PasswordHash.SCHEME + ":...");
            }
            try {
                users.put(line.substring(0, colon), PasswordHash.parse(line.substring(colon + 1)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source + " line " + (i + 1) + ": " + e.getMessage());
            }
        }
        return new CredentialStore(users);
    }

    /** Slow on purpose: call it off the event loop. */
    public boolean verify(String user, String password) {
        PasswordHash hash = users.get(user);
        if (hash == null) {
            DUMMY.matches(password);
            return false;
        }
        return hash.matches(password);
    }

    public int size() {
        return users.size();
    }
}
