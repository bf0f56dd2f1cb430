package org.mailgateway.admin.security;

import io.quarkus.runtime.Startup;
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
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;
import org.mailgateway.admin.config.AdminConfig;

/**
 * The API keys this instance accepts. Only SHA-256 hashes are kept; a presented key is hashed and compared with
 * every known hash in constant time (no early exit, so the time does not tell which key came close).
 * <ul>
 * <li>{@code local-admin} (role admin): {@code gateway.admin.key}, or, when unset, a key generated at first start
 * (256 random bits) into {@code <data dir>/admin-api-key}, mode 600, read back on later starts.</li>
 * <li>the key file {@code gateway.admin.keys-file}: one {@code name:role:sha256-hex} per line ({@code #} starts a
 * comment); see {@link #parseKeyFile}.</li>
 * </ul>
 */
@Startup
@ApplicationScoped
public class ApiKeys {

    private static final Logger LOG = Logger.getLogger(ApiKeys.class);
    static final String KEY_FILE = "admin-api-key";
    /** The name of the single generated (or GATEWAY_ADMIN_KEY) key. */
    public static final String LOCAL_ADMIN = "local-admin";

    private final List<Entry> entries;

    record Entry(ApiKey key, byte[] hash) {
    }

    public ApiKeys(AdminConfig config) {
        String local = config.admin().key().filter(k -> !k.isBlank())
                .orElseGet(() -> readOrGenerate(Path.of(config.dataDir()).resolve(KEY_FILE)));
        List<Entry> all = new ArrayList<>();
        all.add(new Entry(new ApiKey(LOCAL_ADMIN, Roles.ADMIN), sha256(local.strip())));
        config.admin().keysFile().filter(f -> !f.isBlank()).map(Path::of).ifPresent(file -> all.addAll(load(file)));
        this.entries = List.copyOf(all);
    }

    /** The key {@code presented} is, if any. */
    public Optional<ApiKey> identify(String presented) {
        if (presented == null || presented.isEmpty()) {
            return Optional.empty();
        }
        byte[] hash = sha256(presented);
        ApiKey found = null;
        for (Entry entry : entries) {
            if (MessageDigest.isEqual(entry.hash(), hash) && found == null) {
                found = entry.key();
            }
        }
        return Optional.ofNullable(found);
    }

    /** The key of this name (as the console's sessions remember it), if it is still configured. */
    public Optional<ApiKey> byName(String name) {
        return entries.stream().map(Entry::key).filter(k -> k.name().equals(name)).findFirst();
    }

    /** The names of the keys, for the log and for tests. */
    public List<String> names() {
        return entries.stream().map(e -> e.key().name() + " (" + e.key().role() + ")").toList();
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
                if (!name.matches("[A-Za-z0-9._@-]{1,64}")) {
                    throw new IllegalArgumentException("the name must be 1 to 64 of A-Z a-z 0-9 . _ @ -");
                }
                if (!names.add(name)) {
                    throw new IllegalArgumentException("the name " + name + " is used twice");
                }
                String hex = parts[2].strip();
                if (!hex.matches("[0-9a-fA-F]{64}")) {
                    throw new IllegalArgumentException("the hash must be 64 hex digits (SHA-256 of the key)");
                }
                parsed.add(new Entry(new ApiKey(name, Roles.parse(parts[1])), HexFormat.of().parseHex(hex)));
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
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            String key = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
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
