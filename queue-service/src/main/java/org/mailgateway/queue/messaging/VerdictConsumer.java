package org.mailgateway.queue.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;
import org.mailgateway.contracts.ContractJson;
import org.mailgateway.contracts.Envelope;
import org.mailgateway.contracts.InFlightLimit;
import org.mailgateway.contracts.MalformedRecordException;
import org.mailgateway.contracts.RecordHeaders;
import org.mailgateway.contracts.Verdict;
import org.mailgateway.queue.config.DeliveryConfig;
import org.mailgateway.queue.service.DeliveryService;
import org.mailgateway.queue.store.GroupCommit;
import org.mailgateway.queue.store.MailStore;
import org.mailgateway.queue.store.NewMessage;
import org.mailgateway.smtp.codec.HeaderSection;

/**
 * {@code mail.verdicts} in: each judged message is stored (quarantined, or queued for delivery) before its
 * offset may be committed, so a crash never loses one; a redelivered record finds its id already stored and
 * changes nothing. While PostgreSQL is away the store is retried and consumption waits. Up to
 * {@code gateway.delivery.store-in-flight} records are being stored at once, and those that wait together share
 * one transaction ({@link GroupCommit}). A record is acknowledged once the store holds all a restart needs: a
 * message stored for a first attempt before its bytes is acknowledged after that attempt or once its bytes are
 * written (docs/decisions/0008-first-attempt-before-the-bytes.md). At the first-attempt limit a record may wait for
 * room before it is stored (docs/decisions/0009-wait-for-first-attempt-room.md). Offsets are committed only up to the
 * oldest record not yet acknowledged.
 */
@ApplicationScoped
public class VerdictConsumer {

    private static final Logger LOG = Logger.getLogger(VerdictConsumer.class);
    /** RFC 5322's line limit: a longer Subject is cut for the store (the message itself keeps it whole). */
    private static final int MAX_SUBJECT = 998;

    private final GroupCommit store;
    private final DeliveryService delivery;
    private final MeterRegistry registry;
    private final InFlightLimit inFlight;
    /** From a record's turn to be stored until the store ended: the group commit, retries while PostgreSQL is away. */
    private final Timer storeTime;

    public VerdictConsumer(GroupCommit store, DeliveryService delivery, MeterRegistry registry, DeliveryConfig config) {
        this.store = store;
        this.delivery = delivery;
        this.registry = registry;
        this.inFlight = new InFlightLimit(config.storeInFlight());
        this.storeTime = Timer.builder("gateway.queue.store.time").register(registry);
    }

    @Incoming("mail-verdicts")
    public Uni<Void> consume(Message<byte[]> record) {
        CompletableFuture<NewMessage> admitted;
        try {
            admitted = delivery.forStore(read(record)).toCompletableFuture();
        } catch (MalformedRecordException e) {
            registry.counter("gateway.queue.malformed").increment();
            LOG.errorf("record without a readable envelope or verdict goes to the dead-letter topic: %s", e.getMessage());
            return Uni.createFrom().completionStage(record.nack(e));
        }
        CompletableFuture<Void> storeEnded = new CompletableFuture<>();
        if (admitted.isDone()) {
            store(record, admitted.join(), storeEnded);
        } else {
            // it waits for room among the first attempts; it is stored on this consumer's context all the same
            Context context = Vertx.currentContext();
            admitted.thenAccept(message -> {
                if (context == null) {
                    store(record, message, storeEnded);
                } else {
                    context.runOnContext(v -> store(record, message, storeEnded));
                }
            });
        }
        // the next record is read once this one is stored; its acknowledgement may wait for its first attempt
        return Uni.createFrom().completionStage(inFlight.admit(storeEnded));
    }

    private void store(Message<byte[]> record, NewMessage message, CompletableFuture<Void> storeEnded) {
        long start = System.nanoTime();
        MailStore.retriedWhileItMayPass(store.store(message), message.envelope().messageId())
                .eventually(() -> {
                    storeTime.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                    storeEnded.complete(null);
                })
                .onFailure().invoke(e -> delivery.notStored(message))
                .chain(isNew -> afterStore(message, isNew))
                .chain(() -> Uni.createFrom().completionStage(record.ack()))
                .onFailure().recoverWithUni(e -> {
                    registry.counter("gateway.queue.unstorable").increment();
                    LOG.errorf("the store refuses %s for good; it goes to the dead-letter topic: %s",
                            message.envelope().messageId(), e);
                    return Uni.createFrom().completionStage(record.nack(e));
                })
                .subscribe().with(v -> { }, e -> LOG.errorf("record %s: %s", message.envelope().messageId(), e));
    }

    /** @return completes when the record may be acknowledged (see {@link DeliveryService#stored}) */
    private Uni<Void> afterStore(NewMessage message, boolean isNew) {
        Envelope envelope = message.envelope();
        boolean deliver = message.verdict().action() == Verdict.Action.DELIVER;
        if (!isNew) {
            delivery.notStored(message);
            registry.counter("gateway.queue.duplicates").increment();
            LOG.infof("already stored: id=%s (a redelivered record; its bytes are stored if they are still needed)",
                    envelope.messageId());
            return deliver ? delivery.storeBytesOfRedelivered(message) : Uni.createFrom().voidItem();
        }
        registry.counter("gateway.queue.stored", "action", message.verdict().action().name()).increment();
        LOG.info("stored: id=" + envelope.messageId() + " client=" + envelope.clientIp() + " from=<" + envelope.mailFrom()
                + "> rcpts=" + envelope.recipients().size() + " action=" + message.verdict().action() + " score="
                + Verdict.scoreText(message.verdict().score()));
        return deliver ? Uni.createFrom().completionStage(delivery.stored(message)) : Uni.createFrom().voidItem();
    }

    private NewMessage read(Message<byte[]> record) {
        Headers headers = record.getMetadata(IncomingKafkaRecordMetadata.class)
                .map(IncomingKafkaRecordMetadata::getHeaders)
                .orElseThrow(() -> new MalformedRecordException("not a Kafka record"));
        byte[] envelopeJson = value(headers, RecordHeaders.ENVELOPE);
        Envelope envelope = ContractJson.read(envelopeJson, Envelope.class);
        Verdict verdict = ContractJson.read(value(headers, RecordHeaders.VERDICT), Verdict.class);
        if (record.getPayload() == null) {
            throw new MalformedRecordException("record " + envelope.messageId() + " has no message bytes");
        }
        List<NewMessage.NewDelivery> deliveries = verdict.action() == Verdict.Action.DELIVER
                ? envelope.recipients().stream().distinct()
                        .map(r -> new NewMessage.NewDelivery(r, delivery.destinationOf(r))).toList()
                : List.of();
        String subject = HeaderSection.first(HeaderSection.parse(record.getPayload()), "Subject")
                .map(s -> s.length() > MAX_SUBJECT ? s.substring(0, MAX_SUBJECT) : s)
                .orElse(null);
        return new NewMessage(envelope, new String(envelopeJson, StandardCharsets.UTF_8), verdict,
                new String(ContractJson.write(verdict.hits()), StandardCharsets.UTF_8), record.getPayload(), subject,
                deliveries);
    }

    private static byte[] value(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null ? null : header.value();
    }
}
