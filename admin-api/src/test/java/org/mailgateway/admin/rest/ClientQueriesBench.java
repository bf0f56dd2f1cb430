package org.mailgateway.admin.rest;

import static io.restassured.RestAssured.given;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.mailgateway.contracts.ContractJson;
import org.mailgateway.contracts.SessionSummary;
import org.mailgateway.contracts.SessionSummary.Auth;
import org.mailgateway.contracts.SessionSummary.End;
import org.mailgateway.contracts.SessionSummary.Refusal;
import org.mailgateway.contracts.SessionSummary.RefusalKind;
import org.mailgateway.contracts.Topics;
import org.mailgateway.localstack.testing.EmbeddedInfrastructure;

/**
 * Not a test (no assertion on speed): loads a million session summaries through smtp.sessions into admin-api,
 * plus mail store rows, and prints how long ingestion and the client queries take. Run it alone:
 * {@code bench/admin-clients-bench.sh} (or {@code ./mvnw -pl admin-api test -Dtest=ClientQueriesBench
 * -Dbench.sessions=1000000}).
 *
 * <p>Traffic shape: {@code bench.sessions} sessions over the last 7 days from 20,000 addresses; 200 of them
 * (1 %) are abusers that make half of all sessions, try to relay and rotate their HELO name every session.
 */
@QuarkusTest
@WithTestResource(MailStoreResource.class)
class ClientQueriesBench {

    private static final int ADDRESSES = 20_000;
    private static final int ABUSERS = 200;
    private static final int MESSAGES = 200_000;
    private static final int RUNS = 7;

    @Test
    void loadAMillionSessionsAndTimeTheQueries() throws Exception {
        int sessions = Integer.getInteger("bench.sessions", 1_000_000);
        Instant now = Instant.now();
        String key = TestKeys.operator();
        long before = storedSessions();

        long t0 = System.nanoTime();
        produce(sessions, now);
        long produced = System.nanoTime();
        while (storedSessions() - before < sessions) {
            TimeUnit.MILLISECONDS.sleep(500); // a benchmark, not a test: waiting for the consumer to finish
        }
        long stored = System.nanoTime();
        messages(now);

        List<String> report = new ArrayList<>();
        report.add(String.format("sessions: %,d; produced in %.1f s; stored by admin-api %.1f s after the first was produced (%,.0f sessions/s)",
                sessions, secs(produced - t0), secs(stored - t0), sessions / secs(stored - t0)));
        report.add(tables());
        String heavy = "10.200.0.1";
        String light = "10.100.0.77";
        for (String path : List.of(
                "/api/v1/clients/" + heavy,
                "/api/v1/clients/" + light,
                "/api/v1/clients?sort=score&since=P7D&limit=50",
                "/api/v1/clients?sort=relayAttempts&since=P7D&limit=50",
                "/api/v1/clients?sort=heloNames&since=P7D&limit=50",
                "/api/v1/clients?sort=score&since=PT1H&limit=50",
                "/api/v1/blocklist/impact?cidr=10.100.0.0%2F16&days=7",
                "/api/v1/blocklist/impact?cidr=10.100.0.0%2F24&days=7",
                "/api/v1/blocklist")) {
            report.add(time(key, path));
        }
        System.out.println("\n===== ClientQueriesBench =====\n" + String.join("\n", report) + "\n==============================\n");
    }

    private static void produce(int sessions, Instant now) {
        Random random = new Random(42);
        Map<String, Object> props = Map.of(
                "bootstrap.servers", EmbeddedInfrastructure.kafkaBootstrapServers(),
                "key.serializer", StringSerializer.class.getName(),
                "value.serializer", ByteArraySerializer.class.getName(),
                "linger.ms", 20, "batch.size", 262_144, "compression.type", "lz4");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props)) {
            for (int i = 0; i < sessions; i++) {
                boolean abuser = random.nextBoolean();
                int n = abuser ? random.nextInt(ABUSERS) : random.nextInt(ADDRESSES - ABUSERS);
                String ip = abuser ? "10.200." + (n >> 8) + "." + (n & 0xff) : "10.100." + (n >> 8) + "." + (n & 0xff);
                Instant at = now.minusSeconds(random.nextInt(7 * 24 * 3600));
                List<String> helo = List.of(abuser ? "love-" + i + ".example" : "mx" + n + ".sender.example");
                int relay = abuser ? 1 + random.nextInt(5) : 0;
                List<Refusal> refusals = relay == 0 ? List.of()
                        : List.of(new Refusal("RCPT", "<x@victim.example>", 554, "5.7.1", RefusalKind.RELAY));
                SessionSummary s = new SessionSummary("B" + i, "ingress-1", ip, at, at.plusSeconds(2), helo, null,
                        new Auth(abuser ? 1 : 0, abuser ? 1 : 0, false, null), refusals, relay - refusals.size(),
                        abuser ? 0 : 1, 0, abuser ? 0 : 1, relay, 1000, End.QUIT);
                producer.send(new ProducerRecord<>(Topics.SMTP_SESSIONS, ip, ContractJson.write(s)));
            }
            producer.flush();
        }
    }

    /** {@value #MESSAGES} messages from the same addresses over 7 days: what the impact preview and score read. */
    private static void messages(Instant now) throws Exception {
        try (Connection c = Fixtures.mailStore(); Statement s = c.createStatement()) {
            s.execute("""
                    INSERT INTO message (id, received_at, client_ip, helo_name, mail_from, recipients, size, subject, envelope,
                                         action, score, threshold, hits, decided_at)
                    SELECT 'BENCH' || g, now() - (g % 604800) * interval '1 second',
                           ('10.100.' || (g % 19800) / 256 || '.' || (g % 19800) % 256)::inet, 'mx.example',
                           'user' || g % 50 || '@domain' || g % 300 || '.example', ARRAY['rcpt@example.test'], 1000, 'Hi',
                           '{}'::jsonb, CASE WHEN g % 10 = 0 THEN 'QUARANTINE' ELSE 'DELIVER' END, g % 10, 5,
                           CASE WHEN g % 7 = 0 THEN '[{"rule":"DNSBL","score":3,"reason":"listed in dul.example"}]'::jsonb
                                ELSE '[]'::jsonb END, now()
                      FROM generate_series(1, $MESSAGES) AS g
                    ON CONFLICT DO NOTHING""".replace("$MESSAGES", Integer.toString(MESSAGES)));
            s.execute("ANALYZE message");
            s.execute("ANALYZE admin.client_hour");
            s.execute("ANALYZE admin.client_helo");
        }
    }

    private static long storedSessions() throws Exception {
        try (Connection c = Fixtures.mailStore(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT coalesce(sum(sessions), 0) FROM admin.client_hour")) {
            r.next();
            return r.getLong(1);
        }
    }

    private static String tables() throws Exception {
        try (Connection c = Fixtures.mailStore(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("""
                        SELECT (SELECT count(*) FROM admin.client_hour), (SELECT count(*) FROM admin.client_helo),
                               pg_size_pretty(pg_total_relation_size('admin.client_hour')),
                               pg_size_pretty(pg_total_relation_size('admin.client_helo')), (SELECT count(*) FROM message)""")) {
            r.next();
            return String.format("rows: client_hour %,d (%s), client_helo %,d (%s), message %,d", r.getLong(1), r.getString(3),
                    r.getLong(2), r.getString(4), r.getLong(5));
        }
    }

    /** Median and worst of {@value #RUNS} calls after one warm-up call. */
    private static String time(String key, String path) {
        given().auth().oauth2(key).urlEncodingEnabled(false).get(path).then().statusCode(200);
        long[] ms = new long[RUNS];
        for (int i = 0; i < RUNS; i++) {
            long start = System.nanoTime();
            given().auth().oauth2(key).urlEncodingEnabled(false).get(path).then().statusCode(200);
            ms[i] = Duration.ofNanos(System.nanoTime() - start).toMillis();
        }
        Arrays.sort(ms);
        return String.format("%-60s median %4d ms, max %4d ms", path, ms[RUNS / 2], ms[RUNS - 1]);
    }

    private static double secs(long nanos) {
        return nanos / 1e9;
    }
}
