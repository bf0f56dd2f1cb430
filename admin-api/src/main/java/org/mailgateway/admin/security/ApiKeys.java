package org.mailgateway.admin.security;

import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;
import org.mailgateway.admin.config.AdminConfig;
import org.mailgateway.admin.store.ApiKeyStore;

/**
 * The API keys this instance accepts. Only SHA-256 hashes are kept. A presented key is hashed and compared with
 * every configured hash in constant time (no early exit, so the time does not tell which key came close); when
 * none matches, the hash is looked up in the table of keys made over the API ({@link ApiKeyStore}, by its unique
 * index), at every authentication: a key made on another replica works here, a deleted one stops at once.
 * <ul>
 * <li>{@code local-admin} (role admin): {@code gateway.admin.key}, or, when unset, a key generated at first start
 * (256 random bits) into {@code <data dir>/admin-api-key}, mode 600, read back on later starts.</li>
 * <li>the key file {@code gateway.admin.keys-file}: one {@code name:role:sha256-hex} per line ({@code #} starts a
 * comment); see {@link #parseKeyFile}.</li>
 * <li>keys made by an admin with {@code POST /api/v1/keys} (source {@code api}), in {@code admin.api_key}.</li>
 * </ul>
 * The configured keys win over an API key of the same name (the API refuses to make one, but a key file may gain
 * the name later).
 */
@Startup
@ApplicationScoped
public class ApiKeys {

    private static final Logger LOG = Logger.getLogger(ApiKeys.class);
    static final String KEY_FILE = "admin-api-key";
    /** The name of the single generated (or GATEWAY_ADMIN_KEY) key. */
    public static final String LOCAL_ADMIN = "local-admin";

    /** The rule for a key's name, in the key file and over the API. */
    public static final String NAME_RULE = "1 to 64 of A-Z a-z 0-9 . _ @ -";
    private static final String NAME_PATTERN = "[A-Za-z0-9._@-]{1,64}";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Where a key comes from: {@code local-admin}, the key file, or {@code POST /api/v1/keys}. */
    public enum Source {
        GENERATED, FILE, API;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final List<Entry> entries;
    private final ApiKeyStore store;

    record Entry(ApiKey key, Source source, byte[] hash) {
    }

    public ApiKeys(AdminConfig config, ApiKeyStore store) {
        this.store = store;
        String local = config.admin().key().filter(k -> !k.isBlank())
                .orElseGet(() -> readOrGenerate(Path.of(config.dataDir()).resolve(KEY_FILE)));
        List<Entry> all = new ArrayList<>();
        all.add(new Entry(new ApiKey(LOCAL_ADMIN, Roles.ADMIN), Source.GENERATED, sha256(local.strip())));
        config.admin().keysFile().filter(f -> !f.isBlank()).map(Path::of).ifPresent(file -> all.addAll(load(file)));
        this.entries = List.copyOf(all);
    }

    /** The key {@code presented} is, if any: a configured one, else one made over the API. */
    public Uni<Optional<ApiKey>> identify(String presented) {
        if (presented == null || presented.isEmpty()) {
            return Uni.createFrom().item(Optional.empty());
        }
        byte[] hash = sha256(presented);
        ApiKey found = null;
        for (Entry entry : entries) {
            if (MessageDigest.isEqual(entry.hash(), hash) && found == null) {
                found = entry.key();
            }
        }
        if (found != null) {
            return Uni.createFrom().item(Optional.of(found));
        }
        return store.byHash(HexFormat.of().formatHex(hash)).map(row -> row.map(r -> new ApiKey(r.name(), r.role())));
    }

    /** The key of this name (as the console's sessions remember it), if it is still configured or still in the table. */
    public Uni<Optional<ApiKey>> byName(String name) {
        Optional<Configured> configured = configured(name);
        if (configured.isPresent()) {
            return Uni.createFrom().item(Optional.of(configured.get().key()));
        }
        return store.byName(name).map(row -> row.map(r -> new ApiKey(r.name(), r.role())));
    }

    /** A key from the configuration (local-admin or the key file): not managed over the API. */
    public record Configured(ApiKey key, Source source) {
    }

    /** The configured keys, local-admin first, then the key file's in its order. */
    public List<Configured> configured() {
        return entries.stream().map(e -> new Configured(e.key(), e.source())).toList();
    }

    /** The configured key of this name, if any. */
    public Optional<Configured> configured(String name) {
        return configured().stream().filter(c -> c.key().name().equals(name)).findFirst();
    }

    /** The names of the configured keys, for the log and for tests. */
    public List<String> names() {
        return entries.stream().map(e -> e.key().name() + " (" + e.key().role() + ")").toList();
    }

    /** Whether {@code name} is a valid key name ({@value #NAME_RULE}). */
    public static boolean validName(String name) {
        return name != null && name.matches(NAME_PATTERN);
    }

    /** A new key: 256 random bits, base64url without padding (43 characters), as the generated local-admin key. */
    public static String newKey() {
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    /** The SHA-256 of a key in hex, as the key file and the table keep it. */
    public static String sha256Hex(String key) {
        return HexFormat.of().formatHex(sha256(key));
    }

    private static List<Entry> load(Path file) {
        if (!Files.isReadable(file)) {
            LOG.warnf("no readable API key file at %s: only the %s key works", file, LOCAL_ADMIN);
            return List.of();
        }
        try {
            List<Entry> loaded = parseKeyFile(Files.readAllLines(file, StandardCharsets.UTF_8));
            LOG.infof("loaded %d API keys from %s", loaded.size(), file);
            return loaded;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the API key file " + file, e);
        }
    }

    /**
     * {@code name:role:sha256-hex} per line; blank lines and lines starting with {@code #} are skipped. Names are
     * unique and not {@code local-admin}. A malformed line stops the start with its line number (a key file
     * that is half read would be worse than none).
     */
    static List<Entry> parseKeyFile(List<String> lines) {
        List<Entry> parsed = new ArrayList<>();
        Set<String> names = new HashSet<>(Set.of(LOCAL_ADMIN));
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split(":", -1);
            try {
                if (parts.length != 3) {
                    throw new IllegalArgumentException("expected name:role:sha256-hex");
                }
                String name = parts[0].strip();
                if (!validName(name)) {
                    throw new IllegalArgumentException("the name must be " + NAME_RULE);
                }
                if (!names.add(name)) {
                    throw new IllegalArgumentException("the name " + name + " is used twice");
                }
                String hex = parts[2].strip();
                if (!hex.matches("[0-9a-fA-F]{64}")) {
                    throw new IllegalArgumentException("the hash must be 64 hex digits (SHA-256 of the key)");
                }
                parsed.add(new Entry(new ApiKey(name, Roles.parse(parts[1])), Source.FILE, HexFormat.of().parseHex(hex)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("API key file, line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return parsed;
    }

    private static String readOrGenerate(Path file) {
        try {
            if (Files.exists(file)) {
                return Files.readString(file, StandardCharsets.US_ASCII).strip();
            }
            Files.createDirectories(file.toAbsolutePath().getParent());
            String key = newKey();
            Path tmp = file.resolveSibling(KEY_FILE + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, key + "\n", StandardCharsets.US_ASCII);
            try {
                Files.move(tmp, file);
            } catch (FileAlreadyExistsException raced) {
                Files.delete(tmp);
                return Files.readString(file, StandardCharsets.US_ASCII).strip();
            }
            LOG.infof("generated an admin API key into %s", file.toAbsolutePath());
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the admin key file " + file, e);
        }
    }

    /** SHA-256 of the key's UTF-8 bytes, as stored in the key file (hex). */
    public static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
