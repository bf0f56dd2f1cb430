package org.mailgateway.systemtests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.mailgateway.localstack.GatewayService;
import org.mailgateway.localstack.process.ServiceProcess;
import org.mailgateway.localstack.testing.DownstreamSink;

/**
 * Crashes under load, on the whole embedded stack: while four clients send steadily, the Kafka broker, the
 * policy service and the queue service are each killed with SIGKILL and restarted, and PostgreSQL is stopped for
 * 30 seconds. After each, every message the gateway acknowledged with 250 must arrive downstream; copies beyond
 * the first are counted and printed. The bound asserted: no message arrives more than twice (a copy can come
 * from a record processed but not yet committed when the crash came, or, when the broker dies, from a write
 * that succeeded after the ingress had given up and answered 451; each crash can add at most one).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultsIT {

    private static final Duration PATIENCE = Duration.ofMinutes(3);
    /** Four senders, each pausing this long between messages: about 40 messages a second in all. */
    private static final Duration PACE = Duration.ofMillis(100);
    private static final List<String> CLIENTS = List.of("127.0.0.21", "127.0.0.22", "127.0.0.23", "127.0.0.24");

    private static final Pattern SUBJECT = Pattern.compile("\r\nSubject: ([^\r\n]*)\r\n");

    private static StackWithSink gateway;

    @BeforeAll
    static void startTheGateway() {
        gateway = StackWithSink.start("faults", (options, sinkPort) -> options
                .env("GATEWAY_SMTP_ACCEPTED_DOMAINS", "example.test")
                .env("GATEWAY_SMTP_KAFKA_DELIVERY_TIMEOUT", "PT5S")
                .env("GATEWAY_SMTP_KAFKA_REQUEST_TIMEOUT", "PT2S")
                .env("GATEWAY_SMTP_KAFKA_MAX_BLOCK", "PT3S")
                // steady mail from four addresses is what this test wants, not what the policy should score
                .env("GATEWAY_POLICY_THRESHOLDS_MESSAGES", "1000000")
                .env("GATEWAY_DELIVERY_RETRY_INITIAL", "PT1S")
                .env("GATEWAY_DELIVERY_RETRY_MAX", "PT2S")
                .env("GATEWAY_DELIVERY_POLL_INTERVAL", "PT0.5S")
                .env("GATEWAY_DELIVERY_LEASE", "PT6S"));
    }

    @AfterAll
    static void stopTheGateway() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    @Order(1)
    void theBrokerKilledMidStreamMeans451WhileDownAndNoAcknowledgedMessageLost() throws Exception {
        MailLoad load = new MailLoad(gateway.stack().smtpPort(), "Broker crash", CLIENTS, PACE);
        try {
            await().atMost(PATIENCE).until(() -> load.acceptedCount() >= 20);
            gateway.stack().kafka().kill();
            await().atMost(PATIENCE).until(() -> load.tempFailed() >= 4);
            assertTrue(gateway.stack().service(GatewayService.SMTP_INGRESS).isLive(), "the ingress lives through the outage");
            gateway.stack().startKafka();
            int before = load.acceptedCount();
            await().atMost(PATIENCE).until(() -> load.acceptedCount() >= before + 20);
        } finally {
            load.close();
        }
        assertEveryAcknowledgedMessageArrives("Kafka broker SIGKILL", load);
    }

    @Test
    @Order(2)
    void thePolicyServiceKilledMidStreamLosesNothing() throws Exception {
        crashAndRestart(GatewayService.POLICY_SERVICE, "Policy crash");
    }

    @Test
    @Order(3)
    void theQueueServiceKilledMidStreamLosesNothing() throws Exception {
        crashAndRestart(GatewayService.QUEUE_SERVICE, "Queue crash");
    }

    @Test
    @Order(4)
    void postgresqlStoppedForThirtySecondsUnderLoadPausesTheQueueAndLosesNothing() throws Exception {
        ServiceProcess queue = gateway.stack().service(GatewayService.QUEUE_SERVICE);
        MailLoad load = new MailLoad(gateway.stack().smtpPort(), "Database outage", CLIENTS, PACE);
        try {
            await().atMost(PATIENCE).until(() -> load.acceptedCount() >= 20);
            gateway.stack().stopPostgres();
            long stoppedAt = System.nanoTime();
            try {
                await().atMost(PATIENCE).until(() -> !queue.isReady());
                int beforeWaiting = load.acceptedCount();
                // the outage itself lasts 30 s; the ingress keeps accepting meanwhile (mail waits in Kafka)
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> System.nanoTime() - stoppedAt >= Duration.ofSeconds(30).toNanos());
                assertTrue(load.acceptedCount() > beforeWaiting, "mail is accepted while the database is away");
                assertTrue(queue.isLive() && queue.process().isAlive(), "the queue service waits; it does not die");
            } finally {
                gateway.stack().startPostgres();
            }
            await().atMost(PATIENCE).until(queue::isReady);
            int before = load.acceptedCount();
            await().atMost(PATIENCE).until(() -> load.acceptedCount() >= before + 20);
        } finally {
            load.close();
        }
        assertEveryAcknowledgedMessageArrives("PostgreSQL stopped 30 s", load);
    }

    private static void crashAndRestart(GatewayService service, String prefix) throws Exception {
        MailLoad load = new MailLoad(gateway.stack().smtpPort(), prefix, CLIENTS, PACE);
        try {
            await().atMost(PATIENCE).until(() -> load.acceptedCount() >= 20);
            gateway.stack().service(service).process().kill();
            int atKill = load.acceptedCount();
            // the ingress does not need the others: acceptance goes on while the service is down
            await().atMost(PATIENCE).until(() -> load.acceptedCount() >= atKill + 20);
            gateway.stack().restart(service);
            int afterRestart = load.acceptedCount();
            await().atMost(PATIENCE).until(() -> load.acceptedCount() >= afterRestart + 20);
        } finally {
            load.close();
        }
        assertEveryAcknowledgedMessageArrives(service.name().toLowerCase() + " SIGKILL", load);
    }

    private static void assertEveryAcknowledgedMessageArrives(String fault, MailLoad load) {
        List<String> accepted = load.accepted();
        await().atMost(PATIENCE).pollInterval(Duration.ofSeconds(1)).until(() -> arrivals().keySet().containsAll(accepted));
        Map<String, Integer> arrivals = arrivals();
        Map<Integer, Integer> copies = new TreeMap<>();
        for (String subject : accepted) {
            copies.merge(arrivals.get(subject), 1, Integer::sum);
        }
        int duplicates = accepted.stream().mapToInt(s -> arrivals.get(s) - 1).sum();
        System.out.printf("%s under load: %d acknowledged, all arrived; copies per message %s (%d duplicates);"
                + " %d answered 4xx, %d connections failed%n", fault, accepted.size(), copies, duplicates,
                load.tempFailed(), load.connectionErrors());
        assertEquals(List.of(), accepted.stream().filter(s -> arrivals.get(s) > 2).toList(),
                "no message arrives more than twice");
    }

    /** How many copies of each subject the downstream has received. */
    private static Map<String, Integer> arrivals() {
        Map<String, Integer> counts = new HashMap<>();
        for (DownstreamSink.Received message : gateway.sink().messages()) {
            Matcher m = SUBJECT.matcher(message.text());
            if (m.find()) {
                counts.merge(m.group(1), 1, Integer::sum);
            }
        }
        return counts;
    }
}
