package org.mailgateway.ingress.messaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mailgateway.contracts.ContractJson;
import org.mailgateway.contracts.Envelope;
import org.mailgateway.contracts.RecordHeaders;
import org.mailgateway.contracts.Topics;

/**
 * What the SMTP session gets back from the publisher for each way the broker can answer, with Kafka's own stand-in
 * producer in place of a broker. The session pauses its socket until this future completes, so every outcome must
 * complete it, on the session's context: a future that never completes, or an exception thrown instead, would leave
 * the client without a reply.
 */
class InboundPublisherTest {

    private static final byte[] MESSAGE = "Subject: hello\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);

    private final Vertx vertx = Vertx.vertx();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void anAcknowledgedMessageSucceedsOnTheSessionsContextWithTheRecordAsTheContractSays() throws Exception {
        MockProducer<String, byte[]> broker = broker(true);
        InboundPublisher publisher = publisher(broker, Duration.ofMinutes(1));

        Outcome outcome = publishOnAContext(publisher, envelope());

        assertTrue(outcome.result.succeeded(), () -> String.valueOf(outcome.result.cause()));
        assertTrue(outcome.onSessionContext, "completed on another context");
        ProducerRecord<String, byte[]> sent = broker.history().get(0);
        assertEquals(Topics.MAIL_INBOUND, sent.topic());
        assertEquals("192.0.2.10", sent.key());
        assertArrayEquals(MESSAGE, sent.value());
        assertEquals(envelope(), ContractJson.read(sent.headers().lastHeader(RecordHeaders.ENVELOPE).value(), Envelope.class));
        assertEquals(0, failures());
    }

    @Test
    void aRecordTheBrokerRefusesFailsTheMessage() throws Exception {
        MockProducer<String, byte[]> broker = broker(false);
        InboundPublisher publisher = publisher(broker, Duration.ofMinutes(1));
        CompletableFuture<Outcome> outcome = publishLater(publisher, envelope());
        awaitSent(broker);

        broker.errorNext(new NotEnoughReplicasException("not enough in-sync replicas"));

        Outcome refused = outcome.get(10, TimeUnit.SECONDS);
        assertFailedOnTheSessionsContext(NotEnoughReplicasException.class, refused);
        assertEquals(1, failures());
    }

    @Test
    void aSendThatThrowsFailsTheMessage() throws Exception {
        MockProducer<String, byte[]> broker = broker(true);
        broker.sendException = new IllegalStateException("producer fenced");
        InboundPublisher publisher = publisher(broker, Duration.ofMinutes(1));

        Outcome outcome = publishOnAContext(publisher, envelope());

        assertFailedOnTheSessionsContext(IllegalStateException.class, outcome);
        assertEquals(1, failures());
    }

    /** The client is told 451 when the bound passes; an acknowledgement arriving afterwards does not change that. */
    @Test
    void aBrokerThatNeverAnswersFailsTheMessageAtTheBoundAndALateAcknowledgementChangesNothing() throws Exception {
        MockProducer<String, byte[]> broker = broker(false);
        InboundPublisher publisher = publisher(broker, Duration.ofSeconds(1));
        CompletableFuture<Outcome> outcome = publishLater(publisher, envelope());
        awaitSent(broker);

        Outcome timedOut = outcome.get(10, TimeUnit.SECONDS);
        assertFailedOnTheSessionsContext(TimeoutException.class, timedOut);

        assertTrue(broker.completeNext()); // its answer is queued on the session's context, before the probe below
        CompletableFuture<Double> afterTheLateAnswer = new CompletableFuture<>();
        timedOut.session.runOnContext(v -> afterTheLateAnswer.complete(failures()));
        assertEquals(1, afterTheLateAnswer.get(10, TimeUnit.SECONDS));
    }

    /**
     * At shutdown the publisher stops its sender before the listener has closed every session: a message ending then
     * gets a failed future (the client's 451), not an exception that would leave its session paused without a reply.
     */
    @Test
    void aMessageAfterTheSenderStoppedFailsInsteadOfThrowing() throws Exception {
        MockProducer<String, byte[]> broker = broker(true);
        InboundPublisher publisher = publisher(broker, Duration.ofMinutes(1));
        publisher.close();

        Outcome outcome = publishOnAContext(publisher, envelope());

        assertFailedOnTheSessionsContext(RejectedExecutionException.class, outcome);
        assertTrue(broker.history().isEmpty());
        assertEquals(1, failures());
    }

    private record Outcome(AsyncResult<Void> result, boolean onSessionContext, Context session) {
    }

    /** The message failed with {@code cause}, and the session learnt it on its own context (where it replies 451). */
    private static void assertFailedOnTheSessionsContext(Class<? extends Throwable> cause, Outcome outcome) {
        assertInstanceOf(cause, outcome.result.cause());
        assertTrue(outcome.onSessionContext, "completed on another context");
    }

    private Outcome publishOnAContext(InboundPublisher publisher, Envelope envelope) throws Exception {
        return publishLater(publisher, envelope).get(10, TimeUnit.SECONDS);
    }

    /** Publishes on a fresh context, as a session does, and reports the outcome and whether it came on that context. */
    private CompletableFuture<Outcome> publishLater(InboundPublisher publisher, Envelope envelope) {
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        Context session = vertx.getOrCreateContext();
        session.runOnContext(v -> {
            try {
                publisher.publish(envelope, MESSAGE)
                        .onComplete(result -> outcome.complete(new Outcome(result, Vertx.currentContext() == session, session)));
            } catch (RuntimeException e) {
                outcome.completeExceptionally(e);
            }
        });
        return outcome;
    }

    private static void awaitSent(MockProducer<String, byte[]> broker) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !broker.history().isEmpty());
    }

    private MockProducer<String, byte[]> broker(boolean acknowledgeAtOnce) {
        return new MockProducer<>(acknowledgeAtOnce, null, new StringSerializer(), new ByteArraySerializer());
    }

    private InboundPublisher publisher(MockProducer<String, byte[]> broker, Duration giveUpAfter) {
        return new InboundPublisher(vertx, broker, giveUpAfter, registry);
    }

    private double failures() {
        return registry.get("gateway.smtp.kafka.failures").counter().count();
    }

    private static Envelope envelope() {
        return new Envelope("01JDQ3W6Z7K3M8N9P0Q1R2S3T4", Instant.parse("2026-12-07T07:00:00Z"), "192.0.2.10", "client.example",
                "ESMTP", "a@example.org", List.of("b@example.net"), MESSAGE.length, "ingress-test");
    }
}
