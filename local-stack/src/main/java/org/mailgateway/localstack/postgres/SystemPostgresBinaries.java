package org.mailgateway.localstack.postgres;

import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/**
 * PostgreSQL binaries installed on the machine (for example Debian's {@code /usr/lib/postgresql/15/bin}) offered to
 * the embedded PostgreSQL in place of the ones it ships, which are built without lz4 (see
 * docs/decisions/0006-message-bytes-compression.md).
 *
 * <p>The embedded PostgreSQL only takes binaries as a {@code .txz} archive, which it unpacks once into a directory
 * named after the archive's hash. This one holds nothing but symbolic links, {@code bin/NAME -> DIR/NAME}, so the
 * installed programs run from where they are and find their own libraries and share directory.
 */
public final class SystemPostgresBinaries {

    private SystemPostgresBinaries() {
    }

    /** A resolver that hands out the archive of links to the programs in {@code binDir}. */
    public static PgBinaryResolver resolver(Path binDir) {
        byte[] archive = archiveOfLinks(binDir);
        return (system, machine) -> new ByteArrayInputStream(archive);
    }

    static byte[] archiveOfLinks(Path binDir) {
        Path dir = binDir.toAbsolutePath().normalize();
        if (!Files.isExecutable(dir.resolve("postgres")) || !Files.isExecutable(dir.resolve("initdb"))
                || !Files.isExecutable(dir.resolve("pg_ctl"))) {
            throw new IllegalArgumentException(dir + " does not hold PostgreSQL's postgres, initdb and pg_ctl");
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> programs = files.filter(Files::isRegularFile).sorted().toList();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new XZOutputStream(bytes, new LZMA2Options()))) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                TarArchiveEntry bin = new TarArchiveEntry("bin/"); // unpacking creates directories only from their entries
                bin.setModTime(0);
                tar.putArchiveEntry(bin);
                tar.closeArchiveEntry();
                for (Path program : programs) {
                    TarArchiveEntry link = new TarArchiveEntry("bin/" + program.getFileName(), TarArchiveEntry.LF_SYMLINK);
                    link.setLinkName(program.toString());
                    link.setModTime(0); // the same archive, hence the same unpacked directory, on every start
                    tar.putArchiveEntry(link);
                    tar.closeArchiveEntry();
                }
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the PostgreSQL programs in " + dir, e);
        }
    }
}
