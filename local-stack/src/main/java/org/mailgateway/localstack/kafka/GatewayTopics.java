package org.mailgateway.localstack.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.mailgateway.contracts.Topics;

/**
 * The gateway's topics with explicit partition counts, created when missing. Records are keyed by client IP
 * on the two ingress topics, so the partition count bounds how many policy-service instances share the work.
 */
public final class GatewayTopics {

    /** A topic to create: its name, partition count and topic-level configuration. */
    public record Spec(String name, int partitions, Map<String, String> config) {
    }

    public static final int MAIL_PARTITIONS = 6;

    private GatewayTopics() {
    }

    public static List<Spec> specs() {
        Map<String, String> mail = Map.of(
                "max.message.bytes", Integer.toString(EmbeddedKafka.MAX_MESSAGE_BYTES),
                "compression.type", "producer");
        return List.of(
                new Spec(Topics.MAIL_INBOUND, MAIL_PARTITIONS, mail),
                new Spec(Topics.SMTP_SESSIONS, MAIL_PARTITIONS, Map.of()),
                new Spec(Topics.MAIL_VERDICTS, MAIL_PARTITIONS, mail),
                new Spec(Topics.POLICY_BLOCKLIST, 1, Map.of("cleanup.policy", "compact")),
                // records a service could not read (no or a broken header): kept for a person to look at
                new Spec(Topics.MAIL_INBOUND_DEAD_LETTER, 1, mail),
                new Spec(Topics.MAIL_VERDICTS_DEAD_LETTER, 1, mail));
    }

    /**
     * Creates every missing topic, retrying until the broker answers or {@code timeout} passes (a broker
     * that was just started may need many seconds on a loaded machine).
     *
     * @param stillWorthWaiting called between attempts; throws to give up early (e.g. the broker died)
     */
    public static void ensure(String bootstrapServers, Duration timeout, Runnable stillWorthWaiting) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(props)) {
            while (true) {
                try {
                    Set<String> existing = admin.listTopics().names().get(15, TimeUnit.SECONDS);
                    List<NewTopic> missing = specs().stream()
                            .filter(spec -> !existing.contains(spec.name()))
                            .map(spec -> new NewTopic(spec.name(), spec.partitions(), (short) 1).configs(spec.config()))
                            .collect(Collectors.toList());
                    if (!missing.isEmpty()) {
                        admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
                    }
                    return;
                } catch (ExecutionException | TimeoutException e) {
                    stillWorthWaiting.run();
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("Kafka at " + bootstrapServers + " did not take the topics within "
                                + timeout, e);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while creating topics", e);
                }
            }
        }
    }
}
