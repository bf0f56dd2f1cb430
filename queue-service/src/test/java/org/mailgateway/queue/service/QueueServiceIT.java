package org.mailgateway.queue.service;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mailgateway.contracts.ContractJson;
import org.mailgateway.contracts.Envelope;
import org.mailgateway.contracts.MessageIds;
import org.mailgateway.contracts.RecordHeaders;
import org.mailgateway.contracts.RuleHit;
import org.mailgateway.contracts.Topics;
import org.mailgateway.contracts.Verdict;
import org.mailgateway.localstack.postgres.EmbeddedPostgresServer;
import org.mailgateway.localstack.testing.DownstreamSink;
import org.mailgateway.localstack.testing.EmbeddedInfrastructure;
import org.mailgateway.localstack.testing.EmbeddedInfrastructureResource;
import org.mailgateway.localstack.testing.TopicReader;
import org.mailgateway.queue.config.DeliveryConfig;
import org.mailgateway.queue.store.DeliveryUpdate;
import org.mailgateway.queue.store.MailStore;
import org.mailgateway.queue.store.NewMessage;

/**
 * The queue service between a real mail.verdicts topic, a real PostgreSQL and a real downstream SMTP server
 * (aiosmtpd): what it delivers, what it keeps, what it retries.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedInfrastructureResource.class, initArgs = @ResourceArg(name = "postgres", value = "true"))
@WithTestResource(SinkRouteResource.class)
class QueueServiceIT {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static Path sinkDir;

    @Inject
    MeterRegistry registry;

    @Inject
    RetentionService retention;

    @Inject
    DeliveryConfig delivery;

    @Inject
    MailStore store;

    @BeforeAll
    static void directories() throws Exception {
        sinkDir = Files.createTempDirectory("queue-it");
    }

    @AfterAll
    static void noSinkLeftRunning() {
        // each test closes its own sink
    }

    @Test
    void deliverVerdictReachesTheDownstreamByteForByte() throws Exception {
        byte[] message = ("Received: from client.example.org ([192.0.2.1])\r\nSubject: deliver me\r\n\r\n"
                + ".starts with a dot\r\n\u00e9t\u00e9\r\n" + "x".repeat(1500) + "\r\n").getBytes(StandardCharsets.UTF_8);
        try (DownstreamSink sink = DownstreamSink.start(SinkRouteResource.SINK_PORT, sinkDir.resolve("deliver"))) {
            long stores = timerCount("gateway.queue.store.time");
            long deliveringRounds = timerCount("gateway.delivery.first.round", "phase", "deliver");
            long recordingRounds = timerCount("gateway.delivery.first.round", "phase", "record");
            Envelope envelope = publish(Verdict.Action.DELIVER, message, List.of("b@example.test", "c@example.test"));

            await().atMost(PATIENCE).until(() -> sink.messagesContaining("deliver me").size() == 1);
            DownstreamSink.Received received = sink.messagesContaining("deliver me").get(0);
            assertArrayEquals(message, received.content());
            assertTrue(received.envelopeJson().contains("\"rcpt_tos\": [\"b@example.test\", \"c@example.test\"]"),
                    received.envelopeJson());
            await().atMost(PATIENCE).until(() -> states(envelope.messageId()).equals(List.of("DELIVERED", "DELIVERED")));
            assertEquals(null, rawBytes(envelope.messageId()), "the bytes of a delivered message are not kept");
            // where its time went: stored, then one round of first attempts delivered it and recorded the outcomes
            await().atMost(PATIENCE)
                    .until(() -> timerCount("gateway.delivery.first.round", "phase", "record") > recordingRounds);
            assertTrue(timerCount("gateway.queue.store.time") > stores, "the store is timed");
            assertTrue(timerCount("gateway.delivery.first.round", "phase", "deliver") > deliveringRounds,
                    "the round's SMTP transactions are timed");
        }
    }

    /** 0 before the timer exists: the consumer's is registered when the first record comes. */
    private long timerCount(String name, String... tags) {
        Timer timer = registry.find(name).tags(tags).timer();
        return timer == null ? 0 : timer.count();
    }

    @Test
    void mailBeyondTheFirstAttemptBudgetIsStoredDueAndTheDeliveryLoopDeliversIt() throws Exception {
        // one recipient more than first-attempt-room may be in first attempts at once, so this message is stored
        // due, not leased, and the delivery loop claims it, batch-size recipients a round
        int many = delivery.firstAttemptRoom() + 1;
        List<String> recipients = new ArrayList<>();
        for (int i = 0; i < many; i++) {
            recipients.add(String.format("r%03d@example.test", i));
        }
        byte[] message = "Subject: many recipients\r\n\r\nto all of you\r\n".getBytes(StandardCharsets.US_ASCII);
        try (DownstreamSink sink = DownstreamSink.start(SinkRouteResource.SINK_PORT, sinkDir.resolve("many"))) {
            double storedDue = registry.counter("gateway.delivery.stored.due").count();
            Envelope envelope = publish(Verdict.Action.DELIVER, message, recipients);

            awaitDeliveredToAll(envelope, many);
            assertEquals(recipients, recipientsReceived(sink, "to all of you", message, "r\\d{3}@example\\.test"),
                    "every recipient got the message once");
            assertEquals(many, count("SELECT count(*) FROM delivery WHERE message_id = ? AND attempts = 1", envelope.messageId()));
            assertEquals(storedDue + 1, registry.counter("gateway.delivery.stored.due").count(),
                    "the message is counted as stored due");
        }
    }

    @Test
    void atTheFirstAttemptLimitNewMailWaitsForRoomAndIsAttemptedAtOnceWithoutStoringItsBytes() throws Exception {
        byte[] next = "Subject: next\r\n\r\nwaited for room\r\n".getBytes(StandardCharsets.US_ASCII);
        Envelope holder;
        try (ServerSocket silent = new ServerSocket(SinkRouteResource.STALL_PORT, 50, InetAddress.getLoopbackAddress());
                DownstreamSink sink = DownstreamSink.start(SinkRouteResource.SINK_PORT, sinkDir.resolve("waited"))) {
            holder = holdEveryFirstAttempt();
            double storedDue = registry.counter("gateway.delivery.stored.due").count();
            Envelope envelope = publish(Verdict.Action.DELIVER, next, List.of("b@example.test"));
            await().atMost(PATIENCE).until(() -> registry.get("gateway.delivery.first.attempts.waiting").gauge().value() == 1);
            assertEquals(List.of(), states(envelope.messageId()), "it waits before it is stored");

            silent.close(); // the held attempt's connection is reset: it is deferred, and its room is free
            await().atMost(PATIENCE).until(() -> states(envelope.messageId()).equals(List.of("DELIVERED")));
            assertArrayEquals(next, sink.messagesContaining("waited for room").get(0).content());
            assertEquals(1, count("SELECT count(*) FROM delivery WHERE message_id = ? AND attempts = 1", envelope.messageId()),
                    "delivered by its first attempt");
            assertEquals(storedDue, registry.counter("gateway.delivery.stored.due").count(), "not stored due");
            assertEquals(null, rawBytes(envelope.messageId()), "its bytes were never stored");
        }
        deliverTheHeldMail(holder, "held-waited");
    }

    @Test
    void mailForAnotherNextHopFlowsWhileAStalledDownstreamHoldsEveryFirstAttempt() throws Exception {
        byte[] next = "Subject: next\r\n\r\nnot held up by the stall\r\n".getBytes(StandardCharsets.US_ASCII);
        Envelope holder;
        try (ServerSocket silent = new ServerSocket(SinkRouteResource.STALL_PORT, 50, InetAddress.getLoopbackAddress());
                DownstreamSink sink = DownstreamSink.start(SinkRouteResource.SINK_PORT, sinkDir.resolve("unheld"))) {
            holder = holdEveryFirstAttempt();
            double storedDue = registry.counter("gateway.delivery.stored.due").count();
            Envelope envelope = publish(Verdict.Action.DELIVER, next, List.of("b@example.test"));

            // no first attempt ends (the stalled one waits minutes for a greeting): after first-attempt-wait the
            // message is stored due, with its bytes, and the delivery loop sends it
            await().atMost(PATIENCE).until(() -> states(envelope.messageId()).equals(List.of("DELIVERED")));
            assertArrayEquals(next, sink.messagesContaining("not held up by the stall").get(0).content());
            assertEquals(storedDue + 1, registry.counter("gateway.delivery.stored.due").count(), "stored due");
            assertEquals(List.of("QUEUED"), states(holder.messageId()).stream().distinct().toList(),
                    "the stalled attempt is still waiting");
        }
        deliverTheHeldMail(holder, "held-unheld");
    }

    private static final byte[] HELD = "Subject: held\r\n\r\nfor a downstream that never greets\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    /**
     * {@link #HELD} to first-attempt-room recipients at a downstream that accepts and never greets: every first-attempt
     * slot is taken.
     */
    private Envelope holdEveryFirstAttempt() throws Exception {
        await().atMost(PATIENCE).until(() -> registry.get("gateway.delivery.first.attempts").gauge().value() == 0);
        int room = delivery.firstAttemptRoom();
        List<String> recipients = new ArrayList<>();
        for (int i = 0; i < room; i++) {
            recipients.add(String.format("h%03d@stalled.test", i));
        }
        Envelope envelope = publish(Verdict.Action.DELIVER, HELD, recipients);
        await().atMost(PATIENCE).until(() -> registry.get("gateway.delivery.first.attempts").gauge().value() == room);
        return envelope;
    }

    /** The stalled downstream is back: the held message reaches each of its recipients once. */
    private static void deliverTheHeldMail(Envelope envelope, String dir) throws Exception {
        try (DownstreamSink sink = DownstreamSink.start(SinkRouteResource.STALL_PORT, sinkDir.resolve(dir))) {
            awaitDeliveredToAll(envelope, envelope.recipients().size());
            assertEquals(envelope.recipients().stream().sorted().toList(),
                    recipientsReceived(sink, "for a downstream that never greets", HELD, "h\\d{3}@stalled\\.test"),
                    "every recipient got the message once");
        }
    }

    private static void awaitDeliveredToAll(Envelope envelope, int recipients) {
        // one read of the states: two could see no rows yet (all of none are DELIVERED) and then the due ones
        await().atMost(PATIENCE).until(() -> {
            List<String> states = states(envelope.messageId());
            return states.size() == recipients && states.stream().allMatch("DELIVERED"::equals);
        });
    }

    /** The recipients of every copy containing {@code marker} the sink got (each exactly {@code message}), sorted. */
    private static List<String> recipientsReceived(DownstreamSink sink, String marker, byte[] message, String address)
            throws Exception {
        List<String> got = new ArrayList<>();
        for (DownstreamSink.Received received : sink.messagesContaining(marker)) {
            assertArrayEquals(message, received.content());
            Matcher m = Pattern.compile(address).matcher(received.envelopeJson());
            while (m.find()) {
                got.add(m.group());
            }
        }
        return got.stream().sorted().toList();
    }

    @Test
    void aFirstAttemptIsCountedOnceAndItsLeaseEndsWithIt() throws Exception {
        byte[] message = "Subject: first attempt\r\n\r\nstraight through\r\n".getBytes(StandardCharsets.US_ASCII);
        try (DownstreamSink sink = DownstreamSink.start(SinkRouteResource.SINK_PORT, sinkDir.resolve("first"))) {
            Envelope envelope = publish(Verdict.Action.DELIVER, message, List.of("b@example.test", "c@example.test"));

            await().atMost(PATIENCE).until(() -> states(envelope.messageId()).equals(List.of("DELIVERED", "DELIVERED")));
            assertEquals(1, sink.messagesContaining("straight through").size());
            assertEquals(2, count("SELECT count(*) FROM delivery WHERE message_id = ? AND attempts = 1"
                    + " AND lease_until IS NULL AND last_attempt_at IS NOT NULL", envelope.messageId()));
            // every recipient stored leased for its first attempt is given back once its outcome is recorded
            await().atMost(PATIENCE).until(() -> registry.get("gateway.delivery.first.attempts").gauge().value() == 0);
        }
    }

    @Test
    void postfixSmtpSinkAsTheDownstreamReceivesEveryMessageExactlyAsSent() throws Exception {
        List<String> sent = new ArrayList<>();
        List<Envelope> envelopes = new ArrayList<>();
        try (PostfixSmtpSink sink = PostfixSmtpSink.start(SinkRouteResource.SINK_PORT)) {
            for (int i = 0; i < 10; i++) {
                String text = "Received: from client.example.org ([192.0.2.1])\r\nSubject: to smtp-sink " + i + "\r\n"
                        + "Content-Type: text/plain; charset=utf-8\r\n\r\n.a line that starts with a dot\r\n..two dots\r\n"
                        + "Gr\u00fc\u00dfe, " + i + "\r\n" + "long ".repeat(400) + "\r\n.\r\n";
                sent.add(text);
                envelopes.add(publish(Verdict.Action.DELIVER, text.getBytes(StandardCharsets.UTF_8), List.of("b@example.test")));
            }

            for (Envelope envelope : envelopes) {
                await().atMost(PATIENCE).until(() -> states(envelope.messageId()).equals(List.of("DELIVERED")));
            }
            await().atMost(PATIENCE).until(() -> toSink(sink).size() == sent.size());
            // smtp-sink writes LF line ends; otherwise what it got is what was sent, 8-bit bytes included
            List<String> expected = sent.stream().map(t -> new String(t.getBytes(StandardCharsets.UTF_8),
                    StandardCharsets.ISO_8859_1).replace("\r\n", "\n")).sorted().toList();
            assertEquals(expected, toSink(sink).stream().sorted().toList());
        }
    }

    /** What smtp-sink got from this test (mail that an earlier test left deferred may arrive there too). */
    private static List<String> toSink(PostfixSmtpSink sink) {
        return sink.messages().stream().filter(m -> m.contains("\nSubject: to smtp-sink ")).toList();
    }

    @Test
    void quarantineVerdictIsStoredWithItsBytesAndHitsAndNotDelivered() throws Exception {
        byte[] message = "Subject: spam\r\n\r\nGTUBE...\r\n".getBytes(StandardCharsets.US_ASCII);

        Envelope envelope = publish(Verdict.Action.QUARANTINE, message, List.of("b@example.test"));

        await().atMost(PATIENCE).until(() -> rawBytes(envelope.messageId()) != null);
        assertArrayEquals(message, rawBytes(envelope.messageId()));
        assertEquals(List.of(), states(envelope.messageId()));
        try (Connection c = db(); PreparedStatement s = c.prepareStatement(
                "SELECT action, hits->0->>'rule', client_ip::text, helo_name, envelope->>'messageId' FROM message WHERE id = ?")) {
            s.setString(1, envelope.messageId());
            try (ResultSet rs = s.executeQuery()) {
                assertTrue(rs.next());
                assertEquals("QUARANTINE", rs.getString(1));
                assertEquals("GTUBE", rs.getString(2));
                assertEquals("192.0.2.20/32", rs.getString(3));
                assertEquals("client.example.org", rs.getString(4));
                assertEquals(envelope.messageId(), rs.getString(5));
            }
        }
    }

    @Test
    void aRedeliveredRecordIsNeitherStoredNorDeliveredTwice() throws Exception {
        byte[] message = "Subject: once\r\n\r\nonly once\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] marker = "Subject: marker\r\n\r\nafter the duplicate\r\n".getBytes(StandardCharsets.US_ASCII);
        try (DownstreamSink sink = DownstreamSink.start(SinkRouteResource.SINK_PORT, sinkDir.resolve("twice"))) {
            Envelope envelope = envelope(List.of("b@example.test"), message.length);
            Verdict deliver = verdict(Verdict.Action.DELIVER);
            // the same record twice, then a marker, all on one partition: consumed in this order
            send(envelope, deliver, message, 0);
            send(envelope, deliver, message, 0);
            Envelope markerEnvelope = envelope(List.of("b@example.test"), marker.length);
            send(markerEnvelope, deliver, marker, 0);

            await().atMost(PATIENCE).until(() -> states(markerEnvelope.messageId()).equals(List.of("DELIVERED")));
            await().atMost(PATIENCE).until(() -> states(envelope.messageId()).equals(List.of("DELIVERED")));
            assertEquals(1, sink.messagesContaining("only once").size());
            assertEquals(1, count("SELECT count(*) FROM message WHERE id = ?", envelope.messageId()));
        }
    }

    @Test
    void aRecordTheStoreRefusesGoesToTheDeadLetterTopicAndTheRestOfItsBatchIsStored() throws Exception {
        // twelve records in one produce call, on one partition: consumed in one poll and stored in shared
        // transactions; PostgreSQL refuses the one whose HELO name holds a NUL character (SQLSTATE class 22)
        List<Envelope> good = new ArrayList<>();
        Envelope bad = new Envelope(MessageIds.next(), Instant.now(), "192.0.2.20", "nul\u0000helo", "ESMTP",
                "a@example.org", List.of("b@example.test"), 10, "test");
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            Envelope envelope = i == 6 ? bad : envelope(List.of("b@example.test"), 10);
            if (i != 6) {
                good.add(envelope);
            }
            records.add(record(envelope, verdict(Verdict.Action.QUARANTINE), "Subject: batch\r\n\r\nx\r\n"
                    .getBytes(StandardCharsets.US_ASCII), 0));
        }
        send(records);

        ConsumerRecord<String, byte[]> dead = TopicReader.awaitRecord(EmbeddedInfrastructure.kafkaBootstrapServers(),
                Topics.MAIL_VERDICTS + ".dead-letter", r -> bad.messageId().equals(r.key()), PATIENCE);
        assertArrayEquals(ContractJson.write(bad), TopicReader.header(dead, RecordHeaders.ENVELOPE));
        for (Envelope envelope : good) {
            await().atMost(PATIENCE).until(() -> rawBytes(envelope.messageId()) != null);
        }
        assertEquals(0, count("SELECT count(*) FROM message WHERE id = ?", bad.messageId()));
    }

    @Test
    void downstreamAwayMeansDeferredWithTheErrorThenDeliveredWhenItIsBack() throws Exception {
        byte[] message = "Subject: later\r\n\r\nwait for me\r\n".getBytes(StandardCharsets.US_ASCII);

        Envelope envelope = publish(Verdict.Action.DELIVER, message, List.of("b@example.test"));

        await().atMost(PATIENCE).until(() -> states(envelope.messageId()).equals(List.of("DEFERRED")));
        String lastReply = lastReply(envelope.messageId());
        assertTrue(lastReply.contains("127.0.0.1:" + SinkRouteResource.SINK_PORT) && lastReply.contains("refused"), lastReply);
        assertArrayEquals(message, rawBytes(envelope.messageId()), "the deferral is recorded with the bytes its retry needs");

        try (DownstreamSink sink = DownstreamSink.start(SinkRouteResource.SINK_PORT, sinkDir.resolve("later"))) {
            await().atMost(PATIENCE).until(() -> states(envelope.messageId()).equals(List.of("DELIVERED")));
            assertArrayEquals(message, sink.messagesContaining("wait for me").get(0).content());
        }
    }

    @Test
    void aDeliveryThatEndsWhilePostgresqlIsAwayIsRecordedWhenItIsBackAndNotMadeAgain() throws Exception {
        byte[] message = "Subject: store away\r\n\r\ndelivered while PostgreSQL was stopped\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        Path hold = Files.createFile(sinkDir.resolve("hold-data"));
        try (DownstreamSink sink = DownstreamSink.start(SinkRouteResource.SINK_PORT, sinkDir.resolve("store-away"),
                "--hold-data", hold.toString())) {
            double delivered = registry.counter("gateway.delivery.attempts", "outcome", "DELIVERED").count();
            Envelope envelope = publish(Verdict.Action.DELIVER, message, List.of("b@example.test"));

            // the downstream has the whole message and holds its reply; PostgreSQL stops before the 250 goes out,
            // so the outcome of the delivery cannot be recorded when it ends
            await().atMost(PATIENCE).until(() -> sink.messagesContaining("while PostgreSQL was stopped").size() == 1);
            EmbeddedInfrastructure.stopPostgres();
            try {
                Files.delete(hold);
                await().atMost(PATIENCE).until(
                        () -> registry.counter("gateway.delivery.attempts", "outcome", "DELIVERED").count() > delivered);
            } finally {
                EmbeddedInfrastructure.startPostgres();
            }

            // recorded once PostgreSQL is back, within the lease: the downstream never gets the message again
            await().atMost(PATIENCE).until(() -> states(envelope.messageId()).equals(List.of("DELIVERED")));
            assertEquals(1, sink.messagesContaining("while PostgreSQL was stopped").size(), "delivered once");
        }
    }

    @Test
    void theLateOutcomeOfAnAttemptWhoseRecipientALaterAttemptHasTakenChangesNothingAndIsNotReported() throws Exception {
        Envelope envelope = envelope(List.of("b@example.test"), 100);
        // the first attempt's lease ran out while its outcome could not be recorded, and a second attempt has the
        // recipient now (leased for an hour: the delivery loop leaves it alone)
        storeWithoutBytes(envelope, "127.0.0.1:25", "now() + interval '1 hour'");
        assertEquals(1, count("WITH u AS (UPDATE delivery SET attempts = 2 WHERE message_id = ? RETURNING 1)"
                + " SELECT count(*) FROM u", envelope.messageId()));

        String lateReport = MessageIds.next();
        List<NewMessage> queued = store.record(List.of(new DeliveryUpdate(envelope.messageId(), "b@example.test",
                DeliveryUpdate.State.FAILED, null, "550 the first attempt, late", "127.0.0.1:25", 1)),
                recorded -> reportOfEach(recorded, lateReport), List.of()).await().atMost(PATIENCE);
        assertEquals(List.of("QUEUED"), states(envelope.messageId()));
        assertEquals(1, count("SELECT count(*) FROM delivery WHERE message_id = ? AND lease_until > now()",
                envelope.messageId()), "still leased to the second attempt");
        assertEquals(List.of(), queued, "no report about an outcome not recorded");
        assertEquals(0, count("SELECT count(*) FROM message WHERE id = ?", lateReport));

        String report = MessageIds.next();
        DeliveryUpdate second = new DeliveryUpdate(envelope.messageId(), "b@example.test", DeliveryUpdate.State.FAILED,
                null, "550 the second attempt", "127.0.0.1:25", 2);
        queued = store.record(List.of(second), recorded -> reportOfEach(recorded, report), List.of())
                .await().atMost(PATIENCE);
        assertEquals(List.of("FAILED"), states(envelope.messageId()));
        assertEquals("550 the second attempt", lastReply(envelope.messageId()));
        assertEquals(List.of(report), queued.stream().map(m -> m.envelope().messageId()).toList());
        assertEquals(1, count("SELECT count(*) FROM message WHERE id = ? AND subject = '550 the second attempt'", report));

        // recorded again (a retry after a commit whose answer was lost): the report with the same id is not queued twice
        store.record(List.of(second), recorded -> reportOfEach(recorded, report), List.of()).await().atMost(PATIENCE);
        assertEquals(1, count("SELECT count(*) FROM message WHERE id = ?", report));
    }

    /**
     * A stand-in report (id {@code id}, the outcome's reply as its subject) for each outcome the store recorded;
     * to a sender no other test uses, and without deliveries, so that the delivery loop leaves it alone.
     */
    private static List<NewMessage> reportOfEach(List<DeliveryUpdate> recorded, String id) {
        return recorded.stream().map(update -> {
            Envelope report = new Envelope(id, Instant.now(), "127.0.0.1", "gateway.test", "ESMTP", "",
                    List.of("late-outcome@example.org"), 10, "test");
            return new NewMessage(report, new String(ContractJson.write(report), StandardCharsets.UTF_8),
                    verdict(Verdict.Action.DELIVER), "[]", "Subject: x\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII),
                    update.reply(), List.of());
        }).toList();
    }

    @Test
    void aFirstAttemptStillRunningAfterTheGraceHasItsBytesStoredAndItsRecordAcknowledged() throws Exception {
        byte[] message = "Subject: slow downstream\r\n\r\nthe greeting never comes\r\n".getBytes(StandardCharsets.US_ASCII);
        Envelope envelope = envelope(List.of("b@example.test"), message.length);
        RecordMetadata sent;
        // a downstream that takes the connection and never greets: the attempt waits for its reply timeout (minutes)
        try (ServerSocket silent = new ServerSocket(SinkRouteResource.SINK_PORT, 50, InetAddress.getLoopbackAddress())) {
            sent = send(envelope, verdict(Verdict.Action.DELIVER), message, null);

            await().atMost(PATIENCE).until(() -> rawBytes(envelope.messageId()) != null);
            assertArrayEquals(message, rawBytes(envelope.messageId()));
            assertEquals(List.of("QUEUED"), states(envelope.messageId()), "the first attempt is still waiting");
            await().atMost(PATIENCE).until(() -> committedOffset(sent.partition()) > sent.offset());
        } // the connection is reset: the attempt is deferred
        try (DownstreamSink sink = DownstreamSink.start(SinkRouteResource.SINK_PORT, sinkDir.resolve("slow"))) {
            await().atMost(PATIENCE).until(() -> states(envelope.messageId()).equals(List.of("DELIVERED")));
            assertEquals(1, sink.messagesContaining("the greeting never comes").size());
            assertArrayEquals(message, sink.messagesContaining("the greeting never comes").get(0).content());
            assertEquals(null, rawBytes(envelope.messageId()), "dropped once delivered");
        }
    }

    @Test
    void rowsLeftWithoutBytesByAStoppedInstanceWaitForTheRedeliveredRecordAndAreDeliveredOnce() throws Exception {
        byte[] message = "Subject: left behind\r\n\r\nits instance stopped\r\n".getBytes(StandardCharsets.US_ASCII);
        Envelope envelope = envelope(List.of("b@example.test"), message.length);
        // what an instance leaves when it stops after storing a message's rows for a first attempt, before the attempt
        // ended and before it wrote the bytes: the rows, leased, no bytes, the record not acknowledged; the lease is over
        storeWithoutBytes(envelope, "127.0.0.1:" + SinkRouteResource.SINK_PORT, "now() - interval '1 second'");
        try (DownstreamSink sink = DownstreamSink.start(SinkRouteResource.SINK_PORT, sinkDir.resolve("left"))) {
            // a released message is delivered by the delivery loop: once it is, the loop has claimed due work after
            // the rows above were due
            byte[] marker = "Subject: marker\r\n\r\nreleased after the rows\r\n".getBytes(StandardCharsets.US_ASCII);
            Envelope released = publish(Verdict.Action.QUARANTINE, marker, List.of("b@example.test"));
            await().atMost(PATIENCE).until(() -> rawBytes(released.messageId()) != null);
            assertEquals(1, count("SELECT release_message(?, 'operator-key')", released.messageId()));
            await().atMost(PATIENCE).until(() -> states(released.messageId()).equals(List.of("DELIVERED")));
            assertEquals(List.of("QUEUED"), states(envelope.messageId()), "a message without its bytes is never attempted");
            assertEquals(1, count("SELECT attempts FROM delivery WHERE message_id = ?", envelope.messageId()));

            send(envelope, verdict(Verdict.Action.DELIVER), message, null);

            await().atMost(PATIENCE).until(() -> states(envelope.messageId()).equals(List.of("DELIVERED")));
            assertEquals(1, sink.messagesContaining("its instance stopped").size());
            assertArrayEquals(message, sink.messagesContaining("its instance stopped").get(0).content());
            assertEquals(null, rawBytes(envelope.messageId()));
        }
    }

    @Test
    void a4xxFromTheDownstreamIsRetriedAnd5xxRecipientsFail() throws Exception {
        byte[] message = "Subject: tempfail\r\n\r\nsecond time lucky\r\n".getBytes(StandardCharsets.US_ASCII);
        try (DownstreamSink sink = DownstreamSink.start(SinkRouteResource.SINK_PORT, sinkDir.resolve("tempfail"),
                "--tempfail-data", "1", "--refuse-rcpt", "nobody")) {
            Envelope envelope = publish(Verdict.Action.DELIVER, message, List.of("b@example.test", "nobody@example.test"));

            await().atMost(PATIENCE).until(() -> states(envelope.messageId()).equals(List.of("DELIVERED", "FAILED")));
            assertEquals(1, sink.messagesContaining("second time lucky").size());
            assertTrue(lastReply(envelope.messageId(), "nobody@example.test").startsWith("550 5.1.1"));
            assertTrue(count("SELECT attempts FROM delivery WHERE message_id = ? AND recipient = 'b@example.test'",
                    envelope.messageId()) >= 2);
            assertEquals(0, reportsTo(envelope.mailFrom()),
                    "mail from the internet gets no delivery status report (no backscatter)");
        }
    }

    @Test
    void aTrustedSenderGetsADeliveryStatusReportForTheRecipientThatFailed() throws Exception {
        byte[] message = "Subject: to a missing user\r\n\r\nthe body stays home\r\n".getBytes(StandardCharsets.US_ASCII);
        try (DownstreamSink sink = DownstreamSink.start(SinkRouteResource.SINK_PORT, sinkDir.resolve("report"),
                "--refuse-rcpt", "nobody")) {
            Envelope envelope = fromOurSide(message.length, false, new Envelope.Dsn("HDRS", "ENV-42", List.of(
                    new Envelope.Dsn.Recipient("nobody@example.test", "FAILURE", "rfc822;nobody@example.test"))));
            send(envelope, verdict(Verdict.Action.DELIVER), message, null);

            await().atMost(PATIENCE).until(() -> states(envelope.messageId()).equals(List.of("DELIVERED", "FAILED")));
            await().atMost(PATIENCE).until(() -> sink.messagesContaining("ENV-42").size() == 1);
            DownstreamSink.Received report = sink.messagesContaining("ENV-42").get(0);
            String text = report.text();
            assertTrue(report.envelopeJson().contains("\"mail_from\": \"<>\"")
                    && report.envelopeJson().contains("\"rcpt_tos\": [\"" + envelope.mailFrom() + "\"]"), report.envelopeJson());
            for (String expected : List.of("Content-Type: multipart/report; report-type=delivery-status",
                    "Content-Type: message/delivery-status", "Original-Envelope-Id: ENV-42",
                    "Original-Recipient: rfc822;nobody@example.test", "Final-Recipient: rfc822; nobody@example.test",
                    "Action: failed", "Status: 5.1.1", "Diagnostic-Code: smtp; 550 5.1.1", "Content-Type: text/rfc822-headers",
                    "Subject: to a missing user", "Auto-Submitted: auto-replied")) {
                assertTrue(text.contains(expected), expected + " in:\n" + text);
            }
            assertTrue(!text.contains("b@example.test") && !text.contains("the body stays home"),
                    "only the failed recipient, and only the headers (RET=HDRS):\n" + text);
        }
    }

    @Test
    void anAuthenticatedSenderWhoAskedForNoNotificationGetsNone() throws Exception {
        byte[] message = "Subject: never tell me\r\n\r\nquiet\r\n".getBytes(StandardCharsets.US_ASCII);
        try (DownstreamSink sink = DownstreamSink.start(SinkRouteResource.SINK_PORT, sinkDir.resolve("never"),
                "--refuse-rcpt", "nobody")) {
            Envelope envelope = fromOurSide(message.length, true, new Envelope.Dsn(null, null, List.of(
                    new Envelope.Dsn.Recipient("nobody@example.test", "NEVER", null))));
            send(envelope, verdict(Verdict.Action.DELIVER), message, null);

            await().atMost(PATIENCE).until(() -> states(envelope.messageId()).equals(List.of("DELIVERED", "FAILED")));
            assertEquals(0, reportsTo(envelope.mailFrom()));
        }
    }

    @Test
    void mailStillUndeliveredAfterTheQueueLifetimeExpiresAndItsTrustedSenderIsTold() throws Exception {
        byte[] message = "Subject: too old\r\n\r\nnobody took me for days\r\n".getBytes(StandardCharsets.US_ASCII);
        Envelope fresh = fromOurSide(message.length, false, new Envelope.Dsn(null, "ENV-OLD", List.of()));
        // received six days ago (the lifetime is five); nobody listens on the route now
        Envelope old = new Envelope(fresh.messageId(), Instant.now().minus(Duration.ofDays(6)), fresh.clientIp(),
                fresh.heloName(), fresh.protocol(), fresh.mailFrom(), List.of("b@example.test"), message.length, "test",
                null, false, true, null, false, fresh.dsn());
        send(old, verdict(Verdict.Action.DELIVER), message, null);

        await().atMost(PATIENCE).until(() -> states(old.messageId()).equals(List.of("EXPIRED")));
        assertTrue(lastReply(old.messageId()).contains("refused"), lastReply(old.messageId()));
        try (DownstreamSink sink = DownstreamSink.start(SinkRouteResource.SINK_PORT, sinkDir.resolve("expired"))) {
            await().atMost(PATIENCE).until(() -> sink.messagesContaining("ENV-OLD").size() == 1);
            String report = sink.messagesContaining("ENV-OLD").get(0).text();
            assertTrue(report.contains("Final-Recipient: rfc822; b@example.test") && report.contains("Status: 4.4.7")
                    && report.contains("gave up after the queue lifetime"), report);
        }
    }

    @Test
    void rowsWhoseBytesNeverCameExpireAfterTheQueueLifetimeAndTheTrustedSenderIsToldWithoutTheContent() throws Exception {
        // rows an instance stored for a first attempt that it never finished, whose record was not read again (an
        // offset reset, say): no bytes, lease over. The lifetime is five days.
        Instant sixDaysAgo = Instant.now().minus(Duration.ofDays(6));
        Envelope lost = aged(fromOurSide(10, false, new Envelope.Dsn(null, "ENV-LOST", List.of())), sixDaysAgo);
        Envelope lostFromTheInternet = aged(envelope(List.of("b@example.test"), 10), sixDaysAgo);
        Envelope young = envelope(List.of("b@example.test"), 10);
        Envelope oldButLeased = aged(envelope(List.of("b@example.test"), 10), sixDaysAgo);
        String nowhere = "[192.0.2.99]:25"; // never attempted without bytes: the route does not matter
        storeWithoutBytes(lost, nowhere, "now() - interval '1 second'");
        storeWithoutBytes(lostFromTheInternet, nowhere, "now() - interval '1 second'");
        storeWithoutBytes(young, nowhere, "now() - interval '1 second'");
        storeWithoutBytes(oldButLeased, nowhere, "now() + interval '1 hour'");
        try (DownstreamSink sink = DownstreamSink.start(SinkRouteResource.SINK_PORT, sinkDir.resolve("lost"))) {

            retention.sweep().await().atMost(PATIENCE);

            assertEquals(List.of("EXPIRED"), states(lost.messageId()));
            assertEquals(List.of("EXPIRED"), states(lostFromTheInternet.messageId()));
            assertTrue(lastReply(lost.messageId()).contains("never reached the gateway's store"), lastReply(lost.messageId()));
            assertEquals(List.of("QUEUED"), states(young.messageId()), "younger than the lifetime: its record may come");
            assertEquals(List.of("QUEUED"), states(oldButLeased.messageId()), "an instance still holds it");
            await().atMost(PATIENCE).until(() -> sink.messagesContaining("ENV-LOST").size() == 1);
            String report = sink.messagesContaining("ENV-LOST").get(0).text();
            for (String expected : List.of("Content-Type: multipart/report; report-type=delivery-status",
                    "Final-Recipient: rfc822; b@example.test", "Action: failed", "Status: 4.4.7",
                    "never reached the gateway's store", "The gateway no longer has the message's content")) {
                assertTrue(report.contains(expected), expected + " in:\n" + report);
            }
            assertTrue(!report.contains("text/rfc822-headers") && !report.contains("message/rfc822"), report);
            assertEquals(0, reportsTo(lostFromTheInternet.mailFrom()), "no backscatter");

            retention.sweep().await().atMost(PATIENCE);
            assertEquals(1, reportsTo(lost.mailFrom()), "expired and reported once");
        } finally {
            try (Connection c = db(); PreparedStatement s = c.prepareStatement("DELETE FROM message WHERE id = ANY(?)")) {
                s.setArray(1, c.createArrayOf("text", new String[] {young.messageId(), oldButLeased.messageId()}));
                s.executeUpdate();
            }
        }
    }

    private static Envelope aged(Envelope e, Instant receivedAt) {
        return new Envelope(e.messageId(), receivedAt, e.clientIp(), e.heloName(), e.protocol(), e.mailFrom(),
                List.of("b@example.test"), e.size(), e.ingress(), e.tls(), e.authenticated(), e.trusted(), e.body(),
                e.smtputf8(), e.dsn());
    }

    /** A message's rows as a first attempt stores them: no bytes, one recipient b, leased until {@code leaseUntil}. */
    private static void storeWithoutBytes(Envelope envelope, String destination, String leaseUntil) throws Exception {
        try (Connection c = db(); PreparedStatement m = c.prepareStatement("INSERT INTO message (id, received_at, client_ip,"
                + " helo_name, mail_from, recipients, size, envelope, action, score, threshold, hits, decided_at)"
                + " VALUES (?, ?, '192.0.2.20', 'client.example.org', ?, ARRAY['b@example.test'], ?, ?::jsonb, 'DELIVER',"
                + " 0, 5, '[]', now())");
                PreparedStatement d = c.prepareStatement("INSERT INTO delivery (message_id, recipient, destination, state,"
                        + " next_attempt_at, lease_until, attempts, last_attempt_at) VALUES (?, 'b@example.test', ?,"
                        + " 'QUEUED', now(), " + leaseUntil + ", 1, now())")) {
            m.setString(1, envelope.messageId());
            m.setObject(2, envelope.receivedAt().atOffset(ZoneOffset.UTC));
            m.setString(3, envelope.mailFrom());
            m.setInt(4, (int) envelope.size());
            m.setString(5, new String(ContractJson.write(envelope), StandardCharsets.UTF_8));
            m.executeUpdate();
            d.setString(1, envelope.messageId());
            d.setString(2, destination);
            d.executeUpdate();
        }
    }

    /** A message from a trusted network (or, with {@code authenticated}, from a logged-in user) to b and nobody. */
    private static Envelope fromOurSide(int size, boolean authenticated, Envelope.Dsn dsn) {
        return new Envelope(MessageIds.next(), Instant.now(), "10.1.2.3", "laptop.example.org", "ESMTPSA",
                "owner-" + System.nanoTime() + "@example.org", List.of("b@example.test", "nobody@example.test"), size, "test",
                null, authenticated, !authenticated, null, false, dsn);
    }

    /** Reports queued to {@code sender}: stored in the same transaction as the failure they are about. */
    private static int reportsTo(String sender) throws Exception {
        try (Connection c = db(); PreparedStatement s = c.prepareStatement(
                "SELECT count(*) FROM message WHERE mail_from = '' AND recipients = ARRAY[?]::text[]")) {
            s.setString(1, sender);
            try (ResultSet rs = s.executeQuery()) {
                assertTrue(rs.next());
                return rs.getInt(1);
            }
        }
    }

    @Test
    void aReleasedMessageLeavesTheQuarantineIsDeliveredOnceAndWhoReleasedItIsKept() throws Exception {
        byte[] message = "Subject: false positive\r\n\r\nplease let me out\r\n".getBytes(StandardCharsets.US_ASCII);
        Envelope envelope = publish(Verdict.Action.QUARANTINE, message, List.of("b@example.test"));
        await().atMost(PATIENCE).until(() -> rawBytes(envelope.messageId()) != null);
        try (DownstreamSink sink = DownstreamSink.start(SinkRouteResource.SINK_PORT, sinkDir.resolve("release"))) {

            assertEquals(1, count("SELECT release_message(?, 'operator-key')", envelope.messageId()));
            assertEquals(0, count("SELECT release_message(?, 'operator-key')", envelope.messageId()), "only once");
            assertEquals(0, count("SELECT release_message(?, 'operator-key')", "01NOSUCHMESSAGE0000000000000"));

            await().atMost(PATIENCE).until(() -> states(envelope.messageId()).equals(List.of("DELIVERED")));
            assertEquals(1, sink.messagesContaining("please let me out").size());
            assertArrayEquals(message, sink.messagesContaining("please let me out").get(0).content());
        }
        try (Connection c = db(); PreparedStatement s = c.prepareStatement(
                "SELECT m.action, m.released_by, m.released_at IS NOT NULL, d.destination FROM message m"
                        + " JOIN delivery d ON d.message_id = m.id WHERE m.id = ?")) {
            s.setString(1, envelope.messageId());
            try (ResultSet rs = s.executeQuery()) {
                assertTrue(rs.next());
                assertEquals("RELEASED", rs.getString(1));
                assertEquals("operator-key", rs.getString(2));
                assertTrue(rs.getBoolean(3));
                assertEquals("127.0.0.1:" + SinkRouteResource.SINK_PORT, rs.getString(4), "the route is resolved and kept");
            }
        }
    }

    @Test
    void theDestinationQueueShowsWhatWaitsPerNextHopAndForgetsAnEmptiedOne() throws Exception {
        byte[] message = "Subject: stuck\r\n\r\nstuck for a while\r\n".getBytes(StandardCharsets.US_ASCII);
        String destination = "127.0.0.1:" + SinkRouteResource.SINK_PORT;

        Envelope envelope = publish(Verdict.Action.DELIVER, message, List.of("b@example.test", "c@example.test"));

        await().atMost(PATIENCE).until(() -> states(envelope.messageId()).equals(List.of("DEFERRED", "DEFERRED")));
        try (Connection c = db(); PreparedStatement s = c.prepareStatement(
                "SELECT deferred, messages, oldest <= now(), next_attempt_at > last_attempt_at, last_error"
                        + " FROM destination_queue WHERE destination = ?")) {
            s.setString(1, destination);
            try (ResultSet rs = s.executeQuery()) {
                assertTrue(rs.next(), "the destination is listed");
                assertTrue(rs.getInt(1) >= 2, "deferred " + rs.getInt(1));
                assertTrue(rs.getInt(2) >= 1);
                assertTrue(rs.getBoolean(3));
                assertTrue(rs.getBoolean(4));
                assertTrue(rs.getString(5).contains("refused"), rs.getString(5));
            }
        }
        try (DownstreamSink sink = DownstreamSink.start(SinkRouteResource.SINK_PORT, sinkDir.resolve("stuck"))) {
            await().atMost(PATIENCE).until(() -> states(envelope.messageId()).equals(List.of("DELIVERED", "DELIVERED")));
            await().atMost(PATIENCE).until(() -> count("SELECT count(*) FROM destination_queue WHERE destination = ?",
                    destination) == 0);
        }
    }

    private static Envelope publish(Verdict.Action action, byte[] message, List<String> recipients) throws Exception {
        Envelope envelope = envelope(recipients, message.length);
        send(envelope, verdict(action), message, null);
        return envelope;
    }

    private static Envelope envelope(List<String> recipients, int size) {
        return new Envelope(MessageIds.next(), Instant.now(), "192.0.2.20", "client.example.org", "ESMTP", "a@example.org",
                recipients, size, "test");
    }

    private static Verdict verdict(Verdict.Action action) {
        List<RuleHit> hits = action == Verdict.Action.QUARANTINE
                ? List.of(new RuleHit("GTUBE", 1000, "the message contains the GTUBE anti-spam test string")) : List.of();
        return new Verdict(action, action == Verdict.Action.QUARANTINE ? 1000 : 0, 5, hits, Instant.now());
    }

    /** Sends one record (to {@code partition}, or where its key goes when null) and returns where Kafka put it. */
    private static RecordMetadata send(Envelope envelope, Verdict verdict, byte[] message, Integer partition) throws Exception {
        return send(List.of(record(envelope, verdict, message, partition))).get(0);
    }

    /** The offset queue-service's group has committed on a partition of mail.verdicts (-1: none yet). */
    private static long committedOffset(int partition) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", EmbeddedInfrastructure.kafkaBootstrapServers()))) {
            OffsetAndMetadata committed = admin.listConsumerGroupOffsets("queue-service").partitionsToOffsetAndMetadata()
                    .get(60, TimeUnit.SECONDS).get(new TopicPartition(Topics.MAIL_VERDICTS, partition));
            return committed == null ? -1 : committed.offset();
        }
    }

    private static ProducerRecord<String, byte[]> record(Envelope envelope, Verdict verdict, byte[] message, Integer partition) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.MAIL_VERDICTS, partition, envelope.messageId(), message);
        record.headers().add(RecordHeaders.ENVELOPE, ContractJson.write(envelope));
        record.headers().add(RecordHeaders.VERDICT, ContractJson.write(verdict));
        return record;
    }

    /** Sends the records in one batch (linger long enough to gather them) and waits for Kafka's acknowledgement. */
    private static List<RecordMetadata> send(List<ProducerRecord<String, byte[]>> records) throws Exception {
        Map<String, Object> props = Map.of("bootstrap.servers", EmbeddedInfrastructure.kafkaBootstrapServers(),
                "key.serializer", StringSerializer.class.getName(), "value.serializer", ByteArraySerializer.class.getName(),
                "linger.ms", 100);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props)) {
            List<java.util.concurrent.Future<RecordMetadata>> sent = new ArrayList<>();
            for (ProducerRecord<String, byte[]> record : records) {
                sent.add(producer.send(record));
            }
            List<RecordMetadata> where = new ArrayList<>();
            for (java.util.concurrent.Future<RecordMetadata> future : sent) {
                where.add(future.get(60, TimeUnit.SECONDS));
            }
            return where;
        }
    }

    private static Connection db() throws Exception {
        return DriverManager.getConnection(EmbeddedInfrastructure.postgres().jdbcUrl(), EmbeddedPostgresServer.USER,
                EmbeddedPostgresServer.PASSWORD);
    }

    private static List<String> states(String messageId) throws Exception {
        try (Connection c = db(); PreparedStatement s = c.prepareStatement(
                "SELECT state FROM delivery WHERE message_id = ? ORDER BY recipient")) {
            s.setString(1, messageId);
            List<String> states = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    states.add(rs.getString(1));
                }
            }
            return states;
        }
    }

    private static String lastReply(String messageId) throws Exception {
        return lastReply(messageId, "b@example.test");
    }

    private static String lastReply(String messageId, String recipient) throws Exception {
        try (Connection c = db(); PreparedStatement s = c.prepareStatement(
                "SELECT last_reply FROM delivery WHERE message_id = ? AND recipient = ?")) {
            s.setString(1, messageId);
            s.setString(2, recipient);
            try (ResultSet rs = s.executeQuery()) {
                assertTrue(rs.next());
                return rs.getString(1);
            }
        }
    }

    private static byte[] rawBytes(String messageId) throws Exception {
        try (Connection c = db(); PreparedStatement s = c.prepareStatement("SELECT raw FROM message WHERE id = ?")) {
            s.setString(1, messageId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getBytes(1) : null;
            }
        }
    }

    private static int count(String sql, String messageId) throws Exception {
        try (Connection c = db(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, messageId);
            try (ResultSet rs = s.executeQuery()) {
                assertTrue(rs.next());
                return rs.getInt(1);
            }
        }
    }
}
