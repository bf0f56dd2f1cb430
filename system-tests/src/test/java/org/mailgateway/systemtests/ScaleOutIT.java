package org.mailgateway.systemtests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.mail.MessagingException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.mailgateway.contracts.BlockEntry;
import org.mailgateway.contracts.ContractJson;
import org.mailgateway.contracts.Topics;
import org.mailgateway.localstack.testing.SmtpDialogue;
import org.mailgateway.localstack.testing.TopicReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.mailgateway.localstack.GatewayService;
import org.mailgateway.localstack.postgres.EmbeddedPostgresServer;
import org.mailgateway.localstack.testing.DownstreamSink;

/**
 * The gateway scaled out on one machine, as {@code ./gateway up --scale ingress=2,policy=2,queue=2} runs it: two
 * instances of each Kafka-facing service on one broker (six partitions per mail topic) and one PostgreSQL.
 * Clients from several addresses spread their mail over both SMTP ports; a client whose ingress went away
 * sends to the other one, as an MTA does with a second MX.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScaleOutIT {

    private static final Duration PATIENCE = Duration.ofMinutes(3);
    private static final String ATTACKER = "127.0.0.77";
    private static final int HELO_THRESHOLD = 10;
    private static final SeedAttacker ATTACK = new SeedAttacker(ATTACKER);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** Records are keyed by client IP: several clients spread the work over the partitions. */
    private static final List<String> CLIENTS = List.of("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5",
            "127.0.0.6", "127.0.0.7", "127.0.0.8", "127.0.0.9");

    private static StackWithSink gateway;

    @BeforeAll
    static void startTwoOfEach() {
        gateway = StackWithSink.start("scale", (options, sinkPort) -> options
                .scale(GatewayService.SMTP_INGRESS, 2)
                .scale(GatewayService.POLICY_SERVICE, 2)
                .scale(GatewayService.QUEUE_SERVICE, 2)
                .env("GATEWAY_SMTP_ACCEPTED_DOMAINS", "example.test")
                .env("GATEWAY_SMTP_TRUSTED_NETWORKS", "127.0.0.1/32")
                .env("GATEWAY_DELIVERY_RETRY_INITIAL", "PT1S")
                .env("GATEWAY_DELIVERY_RETRY_MAX", "PT2S")
                .env("GATEWAY_DELIVERY_POLL_INTERVAL", "PT0.5S")
                // a killed queue-service instance's leased recipients go to the other one after this
                .env("GATEWAY_DELIVERY_LEASE", "PT20S")
                // the seed attack's thresholds and a block that outlasts the class
                .env("GATEWAY_POLICY_WINDOW_LENGTH", "PT1M")
                .env("GATEWAY_POLICY_BLOCK_FIRST_EXPIRY", "PT10M")
                .env("GATEWAY_POLICY_BLOCK_HELO_NAMES", Integer.toString(HELO_THRESHOLD))
                .env("GATEWAY_POLICY_BLOCK_RELAY_ATTEMPTS", Integer.toString(HELO_THRESHOLD)));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    @Order(0)
    void aFloodFromOneIpSpreadOverBothIngressesIsDetectedAndRefusedAtBoth() {
        List<Integer> ports = gateway.stack().smtpPorts();
        // session n goes to ingress n % 2: neither ingress alone ever sees the threshold's worth of HELO names
        AtomicInteger sessions = new AtomicInteger();
        SmtpDialogue.Reply refusal = await().atMost(PATIENCE).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    int n = sessions.incrementAndGet();
                    return ATTACK.session(n, ports.get(n % 2));
                }, reply -> reply.code() == 554);
        assertEquals("5.7.1", refusal.enhancedCode(), refusal.text());

        ConsumerRecord<String, byte[]> record = TopicReader.awaitRecord(gateway.stack().kafkaBootstrapServers(), Topics.POLICY_BLOCKLIST,
                r -> (ATTACKER + "/32").equals(r.key()) && r.value() != null, PATIENCE);
        BlockEntry block = ContractJson.read(record.value(), BlockEntry.class);
        assertTrue(block.reason().contains("announced " + HELO_THRESHOLD + " different HELO names"), block.reason());
        // both doors refuse the address
        for (int port : ports) {
            await().atMost(PATIENCE).until(() -> ATTACK.knock(port).code() == 554);
        }
        System.out.printf("scale-out flood: %s blocked after %d sessions alternating over %d ingresses%n", ATTACKER,
                sessions.get(), ports.size());
    }

    @Test
    @Order(1)
    void cleanMailSpreadOverBothIngressesIsDeliveredExactlyOnce() throws Exception {
        List<Integer> ports = gateway.stack().smtpPorts();
        assertEquals(2, ports.size());
        Map<String, String> accepted = new TreeMap<>();
        for (int i = 0; i < 40; i++) {
            String subject = "spread-" + i;
            accepted.put(subject, send(subject, CLIENTS.get(i % CLIENTS.size()), ports.get(i % 2)));
        }

        await().atMost(PATIENCE).until(() -> missing(accepted.keySet()).isEmpty());
        // once every recipient is recorded as delivered nothing is sent again: the count is final
        await().atMost(PATIENCE).until(() -> undelivered(accepted.values()) == 0);
        Map<String, Integer> copies = copies(accepted.keySet());
        assertEquals(Map.of(), copies.entrySet().stream().filter(e -> e.getValue() != 1)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)), "messages not delivered exactly once");
        for (int i = 0; i < 2; i++) {
            double taken = metric(gateway.stack().instances(GatewayService.SMTP_INGRESS).get(i).baseUrl(), "gateway_smtp_messages_total");
            assertTrue(taken >= 20, "ingress instance " + (i + 1) + " took " + taken + " messages");
        }
    }

    @Test
    @Order(2)
    void killingOneInstanceOfEachServiceMidStreamLosesNothing() throws Exception {
        List<Integer> ports = gateway.stack().smtpPorts();
        Map<String, String> accepted = new ConcurrentHashMap<>();
        ExecutorService senders = Executors.newFixedThreadPool(4);
        List<Future<?>> running = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int sender = t;
            running.add(senders.submit(() -> {
                for (int i = 0; i < 20; i++) {
                    String subject = "crash-" + sender + "-" + i;
                    accepted.put(subject, sendWithFailover(subject, CLIENTS.get((sender * 20 + i) % CLIENTS.size()),
                            ports.get((sender + i) % 2), ports));
                }
                return null;
            }));
        }
        await().atMost(PATIENCE).until(() -> accepted.size() >= 20);
        gateway.stack().instances(GatewayService.SMTP_INGRESS).get(1).process().kill();
        gateway.stack().instances(GatewayService.POLICY_SERVICE).get(1).process().kill();
        gateway.stack().instances(GatewayService.QUEUE_SERVICE).get(1).process().kill();
        for (Future<?> f : running) {
            f.get(5, TimeUnit.MINUTES);
        }
        senders.shutdown();
        assertEquals(80, accepted.size());

        // the survivors take over the partitions (after the session timeout) and the leases (after they expire)
        await().atMost(PATIENCE).until(() -> missing(accepted.keySet()).isEmpty());
        await().atMost(PATIENCE).until(() -> undelivered(accepted.values()) == 0);
        System.out.println("after the kills, copies per message: " + copies(accepted.keySet()).values().stream()
                .collect(Collectors.groupingBy(c -> c, TreeMap::new, Collectors.counting())));
    }

    // --- clients ---

    private static String sendWithFailover(String subject, String client, int preferred, List<Integer> ports) {
        return await().atMost(PATIENCE).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
            try {
                return send(subject, client, preferred);
            } catch (MessagingException first) {
                return send(subject, client, ports.get(0) == preferred ? ports.get(1) : ports.get(0));
            }
        }, id -> id != null);
    }

    private static String send(String subject, String client, int port) throws MessagingException {
        byte[] bytes = ("From: Alice <alice@example.org>\r\nTo: Bob <b@example.test>\r\nSubject: " + subject + "\r\n"
                + "Message-ID: <" + subject + "." + System.nanoTime() + "@example.org>\r\n\r\nclean mail\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        // short timeouts: a killed instance must make the client fail over soon
        return SmtpSubmission.send(port, client, "client.example.org", bytes, "b@example.test", Duration.ofSeconds(5),
                Duration.ofSeconds(30));
    }

    // --- what the downstream and the store say ---

    private static Map<String, Integer> copies(Iterable<String> subjects) {
        List<String> texts = gateway.sink().messages().stream().map(DownstreamSink.Received::text).toList();
        Map<String, Integer> copies = new TreeMap<>();
        for (String subject : subjects) {
            copies.put(subject, (int) texts.stream().filter(t -> t.contains("\r\nSubject: " + subject + "\r\n")).count());
        }
        return copies;
    }

    private static List<String> missing(Iterable<String> subjects) {
        return copies(subjects).entrySet().stream().filter(e -> e.getValue() == 0).map(Map.Entry::getKey).toList();
    }

    private static int undelivered(Iterable<String> messageIds) throws Exception {
        int count = 0;
        try (Connection c = DriverManager.getConnection(gateway.stack().postgres().jdbcUrl(), EmbeddedPostgresServer.USER,
                EmbeddedPostgresServer.PASSWORD);
                PreparedStatement s = c.prepareStatement(
                        "SELECT count(*) FROM message m LEFT JOIN delivery d ON d.message_id = m.id "
                                + "WHERE m.id = ? AND (d.state IS NULL OR d.state <> 'DELIVERED')")) {
            for (String id : messageIds) {
                s.setString(1, id);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    count += rs.getInt(1);
                }
            }
        }
        return count;
    }

    /** The sum of a counter over its labels, from a service's Prometheus endpoint. */
    private static double metric(String baseUrl, String name) throws Exception {
        String body = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return body.lines().filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
