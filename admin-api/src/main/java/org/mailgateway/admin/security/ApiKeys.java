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
import java.util.Base64;
import org.jboss.logging.Logger;
import org.mailgateway.admin.config.AdminConfig;

/**
 * The admin API key. Only its SHA-256 is kept in memory; a presented key is compared in constant time. Without
 * a configured key, the first start generates one (256 random bits) into {@code <data dir>/admin-api-key},
 * mode 600, and later starts read it back.
 */
@Startup
@ApplicationScoped
public class ApiKeys {

    private static final Logger LOG = Logger.getLogger(ApiKeys.class);
    static final String KEY_FILE = "admin-api-key";

    private final byte[] adminKeyHash;

    public ApiKeys(AdminConfig config) {
        String key = config.admin().key().filter(k -> !k.isBlank())
                .orElseGet(() -> readOrGenerate(Path.of(config.dataDir()).resolve(KEY_FILE)));
        this.adminKeyHash = sha256(key.strip());
    }

    /** True when {@code presented} is the admin key. */
    public boolean isValid(String presented) {
        return presented != null && MessageDigest.isEqual(adminKeyHash, sha256(presented));
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

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
