package org.mailgateway.contracts;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.util.Native;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * The lz4 implementation that compresses and decompresses the records of every topic, chosen when a service starts.
 * Kafka's client asks lz4-java for its fastest implementation on every batch, and lz4-java offers its native (JNI)
 * one only once that is loaded; by itself it loads it only when its classes come from the system class loader, which
 * a Quarkus application's do not. So this bean (every service that has this jar has it: {@code META-INF/beans.xml})
 * loads it at startup, unless {@code gateway.kafka.native-lz4=false}. Where it cannot load, the pure-Java one stays.
 */
@ApplicationScoped
public class Lz4Records {

    private static final Logger LOG = Logger.getLogger(Lz4Records.class);

    void atStartup(@Observes @Initialized(ApplicationScoped.class) Object started) {
        boolean wanted = ConfigProvider.getConfig().getOptionalValue("gateway.kafka.native-lz4", Boolean.class).orElse(true);
        LOG.infof("lz4 for Kafka records: %s", wanted ? loadNative() : "pure Java (gateway.kafka.native-lz4=false)");
    }

    /**
     * Loads lz4-java's native library, so that Kafka's client uses it from the next batch on.
     *
     * @return which implementation Kafka's client now gets: the native one, or the pure-Java one and why
     */
    public static String loadNative() {
        try {
            LZ4Factory.nativeInstance();
        } catch (Throwable unavailable) { // UnsatisfiedLinkError, or an exception when the library cannot be extracted
            return "pure Java (the native library did not load: " + unavailable + ")";
        }
        return implementation();
    }

    /** Which implementation Kafka's client gets now: {@code native (JNI)} or {@code pure Java}. */
    public static String implementation() {
        return Native.isLoaded() ? "native (JNI)" : "pure Java";
    }
}
