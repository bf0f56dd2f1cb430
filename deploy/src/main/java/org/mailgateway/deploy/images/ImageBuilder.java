package org.mailgateway.deploy.images;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.api.buildplan.FilePermissionsProvider;
import com.google.cloud.tools.jib.api.buildplan.Port;
import com.google.cloud.tools.jib.frontend.CredentialRetrieverFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Builds the services' container images without a Docker daemon and without pulling a base image: every image
 * starts from scratch and gets
 * <ol>
 * <li>a Java 17 runtime made with {@code jlink} from the build machine's JDK (Debian's openjdk-17), in
 * {@code /opt/java};</li>
 * <li>the shared libraries that runtime links against (glibc, zlib: from the build machine's Debian packages,
 * found with {@code ldd}), {@code /etc/passwd} and {@code /etc/group} naming the user {@code gateway} (185),
 * {@code /etc/nsswitch.conf}, and {@code /tmp};</li>
 * <li>the service's Quarkus fast-jar in {@code /deployments}: its libraries in one layer, its own code in
 * another, so that a code change replaces a few hundred kilobytes.</li>
 * </ol>
 * The first two layers are the same for every service. The image runs as user 185, never root. Output: a
 * {@code docker save}-style tarball per service ({@code podman load}, {@code ctr image import}, {@code skopeo copy
 * docker-archive:...}), or, with a registry, a push (Jib talks to the registry directly).
 *
 * <p>Usage: {@code ImageBuilder <project dir> <output dir> <version> <registry or "-"> <service>...}
 */
public final class ImageBuilder {

    public static final String USER = "185";
    public static final String GROUP = "gateway";
    private static final AbsoluteUnixPath JAVA_HOME = AbsoluteUnixPath.get("/opt/java");
    private static final AbsoluteUnixPath DEPLOYMENTS = AbsoluteUnixPath.get("/deployments");
    private static final Pattern LDD_LINE = Pattern.compile("(?:=>\\s*)?(/\\S+)\\s+\\(0x[0-9a-f]+\\)");
    /** What an image's files are dated: a fixed time, so that the same input makes the same layers. */
    private static final Instant FILE_TIME = Instant.EPOCH.plusSeconds(1);
    private static final FilePermissionsProvider AS_ON_DISK = (source, target) -> {
        try {
            return FilePermissions.fromPosixFilePermissions(Files.getPosixFilePermissions(source));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    };

    /**
     * The JDK modules the services use ({@code jdeps --print-module-deps} over their libraries), TLS's elliptic
     * curves and PKCS#11, DNS naming, and JFR for profiling in production.
     */
    static final List<String> MODULES = List.of("java.base", "java.compiler", "java.desktop", "java.instrument",
            "java.logging", "java.management", "java.naming", "java.net.http", "java.security.jgss", "java.security.sasl",
            "java.sql", "java.transaction.xa", "java.xml", "jdk.crypto.cryptoki", "jdk.crypto.ec", "jdk.jfr",
            "jdk.management", "jdk.management.jfr", "jdk.naming.dns", "jdk.unsupported", "jdk.zipfs");

    /**
     * Native parts of java.desktop that a headless server never loads; what they link against (X11, fonts, sound,
     * smart cards) stays out of the image. java.desktop itself is needed for java.beans.
     */
    static final Set<String> HEADLESS_UNUSED = Set.of("libawt_xawt.so", "libsplashscreen.so", "libjsound.so",
            "libfontmanager.so", "libjawt.so", "liblcms.so", "libjavajpeg.so", "libmlib_image.so", "libj2pcsc.so");

    private final Path projectDir;
    private final Path workDir;
    private final String version;

    public ImageBuilder(Path projectDir, Path workDir, String version) {
        this.projectDir = projectDir;
        this.workDir = workDir;
        this.version = version;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println("usage: ImageBuilder <project dir> <output dir> <version> <registry or -> <service>...");
            System.exit(2);
        }
        ImageBuilder builder = new ImageBuilder(Path.of(args[0]), Path.of(args[1]), args[2]);
        String registry = args[3].equals("-") || args[3].isBlank() ? null : args[3];
        for (int i = 4; i < args.length; i++) {
            String service = args[i];
            if (registry == null) {
                Path tar = builder.buildTar(service);
                System.out.println("image " + imageName(null, service, args[2]) + " -> " + tar);
            } else {
                JibContainer pushed = builder.push(service, registry);
                System.out.println("image " + imageName(registry, service, args[2]) + " pushed, " + pushed.getDigest());
            }
        }
    }

    public static String imageName(String registry, String service, String version) {
        return (registry == null ? "" : registry + "/") + "mail-gateway/" + service + ":" + version;
    }

    /** Writes {@code <output>/<service>-<version>.tar}. */
    public Path buildTar(String service) throws Exception {
        Path tar = workDir.resolve(service + "-" + version + ".tar");
        container(service).containerize(Containerizer.to(TarImage.at(tar).named(imageName(null, service, version)))
                .setBaseImageLayersCache(workDir.resolve("jib-cache"))
                .setApplicationLayersCache(workDir.resolve("jib-cache")));
        return tar;
    }

    public JibContainer push(String service, String registry) throws Exception {
        String name = imageName(registry, service, version);
        RegistryImage target = RegistryImage.named(name).addCredentialRetriever(CredentialRetrieverFactory
                .forImage(ImageReference.parse(name), event -> System.out.println(event.getMessage())).dockerConfig());
        return container(service).containerize(Containerizer.to(target)
                .withAdditionalTag("latest")
                .setAllowInsecureRegistries(Boolean.getBoolean("images.insecure"))
                .setApplicationLayersCache(workDir.resolve("jib-cache")));
    }

    private JibContainerBuilder container(String service) throws IOException, InterruptedException {
        Path app = projectDir.resolve(service).resolve("target/quarkus-app");
        if (!Files.isRegularFile(app.resolve("quarkus-run.jar"))) {
            throw new IllegalStateException(app + " has no quarkus-run.jar: build the service first (./mvnw package)");
        }
        Path runtime = javaRuntime();
        Path system = systemFiles(runtime);
        List<Port> ports = new ArrayList<>(List.of(Port.tcp(8080)));
        if (service.equals("smtp-ingress")) {
            ports.add(Port.tcp(25));
        }
        return Jib.fromScratch()
                .addFileEntriesLayer(FileEntriesLayer.builder().setName("java runtime")
                        .addEntryRecursive(runtime, JAVA_HOME, AS_ON_DISK, (s, t) -> FILE_TIME).build())
                .addFileEntriesLayer(topLevelEntries("system files", system, AbsoluteUnixPath.get("/"), Set.of()))
                .addFileEntriesLayer(FileEntriesLayer.builder().setName("dependencies")
                        .addEntryRecursive(app.resolve("lib"), DEPLOYMENTS.resolve("lib"), AS_ON_DISK, (s, t) -> FILE_TIME)
                        .build())
                .addFileEntriesLayer(topLevelEntries("application", app, DEPLOYMENTS, Set.of("lib")))
                .setEntrypoint(JAVA_HOME + "/bin/java", "-XX:MaxRAMPercentage=75", "-Djava.io.tmpdir=/tmp",
                        "-jar", DEPLOYMENTS + "/quarkus-run.jar")
                .setEnvironment(Map.of("JAVA_HOME", JAVA_HOME.toString(), "PATH", JAVA_HOME + "/bin:/usr/bin:/bin",
                        "LANG", "C.UTF-8"))
                .setWorkingDirectory(DEPLOYMENTS)
                .setUser(USER + ":" + USER)
                .setExposedPorts(new LinkedHashSet<>(ports))
                .addLabel("org.opencontainers.image.title", "mail-gateway " + service)
                .addLabel("org.opencontainers.image.version", version)
                .setCreationTime(Instant.now());
    }

    /** A layer with every entry of {@code dir} (but {@code except}) under {@code target}. */
    private static FileEntriesLayer topLevelEntries(String name, Path dir, AbsoluteUnixPath target, Set<String> except)
            throws IOException {
        FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName(name);
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path entry : entries.sorted().toList()) {
                String fileName = entry.getFileName().toString();
                if (!except.contains(fileName)) {
                    layer.addEntryRecursive(entry, target.resolve(fileName), AS_ON_DISK, (s, t) -> FILE_TIME);
                }
            }
        }
        return layer.build();
    }

    /** A jlinked runtime of the build machine's JDK, made once per build directory. */
    Path javaRuntime() throws IOException, InterruptedException {
        Path runtime = workDir.resolve("java-runtime");
        if (Files.isRegularFile(runtime.resolve("bin/java"))) {
            return runtime;
        }
        Path jdk = Path.of(System.getProperty("java.home"));
        Path jmods = jdk.resolve("jmods");
        if (!Files.isDirectory(jmods)) {
            throw new IllegalStateException("no " + jmods + ": a full JDK is needed (Debian: openjdk-17-jdk-headless)");
        }
        Files.createDirectories(workDir);
        run(List.of(jdk.resolve("bin/jlink").toString(), "--module-path", jmods.toString(), "--add-modules",
                String.join(",", MODULES), "--strip-debug", "--no-man-pages", "--no-header-files", "--compress=2",
                "--output", runtime.toString()));
        return runtime;
    }

    /** The libraries the runtime needs (as {@code ldd} finds them on this machine) and the few files in /etc. */
    Path systemFiles(Path runtime) throws IOException, InterruptedException {
        Path root = workDir.resolve("system-root");
        if (Files.isDirectory(root)) {
            return root;
        }
        Set<String> libraries = new LinkedHashSet<>();
        try (Stream<Path> files = Files.walk(runtime)) {
            for (Path file : files.filter(f -> Files.isRegularFile(f) && (f.toString().endsWith(".so")
                    || f.getParent().getFileName().toString().equals("bin"))
                    && !HEADLESS_UNUSED.contains(f.getFileName().toString())).toList()) {
                libraries.addAll(linkedLibraries(file));
            }
        }
        for (String library : libraries) {
            if (library.startsWith(runtime.toString())) {
                continue;
            }
            Path target = root.resolve(library.substring(1));
            Files.createDirectories(target.getParent());
            Files.copy(Path.of(library), target); // follows links: the image gets the files themselves
        }
        Path etc = Files.createDirectories(root.resolve("etc"));
        Files.writeString(etc.resolve("passwd"), "root:x:0:0:root:/root:/sbin/nologin\n"
                + GROUP + ":x:" + USER + ":" + USER + ":mail gateway:/deployments:/sbin/nologin\n", StandardCharsets.US_ASCII);
        Files.writeString(etc.resolve("group"), "root:x:0:\n" + GROUP + ":x:" + USER + ":\n", StandardCharsets.US_ASCII);
        Files.writeString(etc.resolve("nsswitch.conf"), "passwd: files\ngroup: files\nhosts: files dns\n",
                StandardCharsets.US_ASCII);
        Path tmp = Files.createDirectories(root.resolve("tmp"));
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        return root;
    }

    private static List<String> linkedLibraries(Path file) throws IOException, InterruptedException {
        Process ldd = new ProcessBuilder("ldd", file.toString()).redirectErrorStream(true).start();
        String output = new String(ldd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        ldd.waitFor(30, TimeUnit.SECONDS);
        List<String> found = new ArrayList<>();
        for (String line : output.lines().toList()) {
            if (line.contains("not found")) {
                continue; // the runtime's own libraries (libjvm.so): the JVM finds them itself at run time
            }
            Matcher m = LDD_LINE.matcher(line.trim());
            if (m.find()) {
                found.add(Path.of(m.group(1)).normalize().toString());
            }
        }
        return found;
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).inheritIO().start();
        if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed");
        }
    }
}
