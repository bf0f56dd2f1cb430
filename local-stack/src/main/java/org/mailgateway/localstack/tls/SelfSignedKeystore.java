package org.mailgateway.localstack.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for the ingress's STARTTLS in the local stack and in tests, made with the JDK's
 * own {@code keytool} (so nothing beyond a JDK is needed) as a PKCS#12 keystore. Real deployments configure
 * a proper certificate instead (gateway.smtp.tls.certificate and .key).
 */
public final class SelfSignedKeystore {

    /** Local use only; the keystore holds a throw-away key for a certificate nobody trusts. */
    public static final String PASSWORD = "gateway-local";

    private SelfSignedKeystore() {
    }

    /** The keystore at {@code file}, created for {@code hostname} if it does not exist yet. */
    public static Path ensure(Path file, String hostname) {
        if (Files.isRegularFile(file)) {
            return file;
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            Path partial = file.resolveSibling(file.getFileName() + ".partial");
            Files.deleteIfExists(partial);
            Process process = new ProcessBuilder(List.of(keytool.toString(), "-genkeypair", "-keystore", partial.toString(),
                    "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD, "-alias", "smtp", "-keyalg", "EC",
                    "-groupname", "secp256r1", "-validity", "3650", "-dname", "CN=" + hostname, "-ext", "SAN=dns:" + hostname
                    + ",dns:localhost,ip:127.0.0.1"))
                    .redirectErrorStream(true)
                    .start();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("keytool failed: " + output);
            }
            Files.move(partial, file);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a self-signed keystore at " + file, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
