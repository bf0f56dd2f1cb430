package org.mailgateway.policy.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;
import org.mailgateway.contracts.BlockEntry;
import org.mailgateway.contracts.ContractJson;
import org.mailgateway.contracts.Envelope;
import org.mailgateway.contracts.InFlightLimit;
import org.mailgateway.contracts.MalformedRecordException;
import org.mailgateway.contracts.RuleHit;
import org.mailgateway.contracts.SessionSummary;
import org.mailgateway.contracts.Topics;
import org.mailgateway.contracts.Verdict;
import org.mailgateway.policy.behaviour.BehaviourStore;
import org.mailgateway.policy.behaviour.IpActivity;
import org.mailgateway.policy.blocking.BlockDecider;
import org.mailgateway.policy.blocking.DeliveryLog;
import org.mailgateway.policy.blocking.Networks;
import org.mailgateway.policy.config.PolicyConfig;
import org.mailgateway.policy.dnsbl.DnsblChecker;
import org.mailgateway.policy.rules.MessageFacts;
import org.mailgateway.policy.rules.RuleChain;

/**
 * Reads {@code mail.inbound} and {@code smtp.sessions} through one consumer (both keyed by client IP with the same
 * partition count, and assigned by range, so partition n of both topics belongs to the same instance).
 *
 * <ul>
 *   <li>A session summary is counted in its IP's window; if the IP crosses a block threshold, a block entry goes to
 *       {@code policy.blocklist}.</li>
 *   <li>A message is counted, its client is looked up in the DNS zones (at most the DNS timeout), the rule chain
 *       scores it, and the same bytes go to {@code mail.verdicts} keyed by message id, with the envelope and the
 *       verdict (every hit) in headers.</li>
 * </ul>
 * An input offset is committed only after Kafka acknowledged what the record produced, so a crash means a record
 * is processed again, never lost. A message without a readable envelope goes to the dead-letter topic.
 * <p>
 * Records are counted in their IP's window in offset order, when they are read; their DNS lookups, verdicts and
 * sends then overlap, up to {@code gateway.policy.in-flight} records at once (the throttled commit strategy commits
 * only up to the oldest unfinished one).
 */
@ApplicationScoped
public class PolicyProcessor {

    private static final Logger LOG = Logger.getLogger(PolicyProcessor.class);

    private final RuleChain chain;
    private final BehaviourStore behaviour;
    private final DnsblChecker dnsbl;
    private final BlockDecider blocks;
    private final DeliveryLog deliveries;
    private final MutinyEmitter<byte[]> verdicts;
    private final MutinyEmitter<byte[]> blocklist;
    private final MeterRegistry registry;
    private final InFlightLimit inFlight;

    public PolicyProcessor(RuleChain chain, BehaviourStore behaviour, DnsblChecker dnsbl, BlockDecider blocks,
            DeliveryLog deliveries, @Channel("mail-verdicts") MutinyEmitter<byte[]> verdicts,
            @Channel("policy-blocklist-out") MutinyEmitter<byte[]> blocklist, MeterRegistry registry, PolicyConfig config) {
        this.inFlight = new InFlightLimit(config.policy().inFlight());
        this.chain = chain;
        this.behaviour = behaviour;
        this.dnsbl = dnsbl;
        this.blocks = blocks;
        this.deliveries = deliveries;
        this.verdicts = verdicts;
        this.blocklist = blocklist;
        this.registry = registry;
    }

    @Incoming("policy-in")
    public Uni<Void> consume(Message<byte[]> record) {
        IncomingKafkaRecordMetadata<?, ?> meta = record.getMetadata(IncomingKafkaRecordMetadata.class).orElseThrow();
        Uni<Void> done = Topics.SMTP_SESSIONS.equals(meta.getTopic())
                ? session(meta.getPartition(), record.getPayload())
                : message(meta.getPartition(), record.getPayload(),
                        header(meta.getHeaders(), org.mailgateway.contracts.RecordHeaders.ENVELOPE));
        CompletionStage<Void> finished = done.onItem().transformToUni(ignored -> Uni.createFrom().completionStage(record.ack()))
                .onFailure().recoverWithUni(e -> Uni.createFrom().completionStage(record.nack(e)))
                .subscribeAsCompletionStage();
        return Uni.createFrom().completionStage(inFlight.admit(finished));
    }

    private Uni<Void> session(int partition, byte[] json) {
        SessionSummary session;
        try {
            session = ContractJson.read(json, SessionSummary.class);
        } catch (MalformedRecordException e) {
            // a summary is evidence about behaviour, not mail: nothing a person must rescue is lost by skipping it
            registry.counter("gateway.policy.malformed", "topic", Topics.SMTP_SESSIONS).increment();
            LOG.warnf("unreadable session summary skipped: %s", e.getMessage());
            return Uni.createFrom().voidItem();
        }
        registry.counter("gateway.policy.sessions").increment();
        IpActivity activity = behaviour.record(partition, session);
        return publish(blocks.decide(activity, session.endedAt()));
    }

    private Uni<Void> message(int partition, byte[] message, byte[] envelopeJson) {
        Envelope envelope;
        try {
            envelope = ContractJson.read(envelopeJson, Envelope.class);
        } catch (MalformedRecordException e) {
            registry.counter("gateway.policy.malformed", "topic", Topics.MAIL_INBOUND).increment();
            LOG.errorf("record without a readable envelope goes to the dead-letter topic: %s", e.getMessage());
            return Uni.createFrom().failure(e);
        }
        IpActivity activity = behaviour.record(partition, envelope);
        return Uni.createFrom().completionStage(() -> dnsbl.check(envelope.clientIp()).toCompletionStage())
                .onItem().transformToUni(listings -> {
                    Verdict verdict = chain.evaluate(new MessageFacts(envelope, message, activity, listings));
                    registry.counter("gateway.policy.verdicts", "action", verdict.action().name()).increment();
                    LOG.info("verdict: id=" + envelope.messageId() + " client=" + envelope.clientIp() + " helo="
                            + envelope.heloName() + " action=" + verdict.action() + " score=" + Verdict.scoreText(verdict.score())
                            + " hits=" + verdict.hits().stream().map(RuleHit::rule).toList());
                    if (verdict.action() == Verdict.Action.DELIVER) {
                        var address = Networks.address(envelope.clientIp());
                        if (address != null) {
                            deliveries.delivered(address, envelope.receivedAt());
                        }
                    }
                    Headers headers = new RecordHeaders()
                            .add(org.mailgateway.contracts.RecordHeaders.ENVELOPE, envelopeJson)
                            .add(org.mailgateway.contracts.RecordHeaders.VERDICT, ContractJson.write(verdict));
                    OutgoingKafkaRecordMetadata<String> out = OutgoingKafkaRecordMetadata.<String>builder()
                            .withKey(envelope.messageId()).withHeaders(headers).build();
                    return verdicts.sendMessage(Message.of(message, Metadata.of(out)))
                            .chain(() -> publish(blocks.decide(activity, envelope.receivedAt())));
                });
    }

    /**
     * Publishes block entries. Never fails the record it came from: a message's verdict is already out, and a
     * session's evidence stays counted. An entry Kafka did not take is taken back from the view, so the next record of
     * that IP decides again.
     */
    private Uni<Void> publish(List<BlockEntry> entries) {
        if (entries.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Uni<Void>> sends = entries.stream().map(entry -> {
            boolean single = entry.cidr().endsWith("/32") || entry.cidr().endsWith("/128");
            OutgoingKafkaRecordMetadata<String> out = OutgoingKafkaRecordMetadata.<String>builder().withKey(entry.cidr()).build();
            return blocklist.sendMessage(Message.of(ContractJson.write(entry), Metadata.of(out)))
                    .invoke(() -> registry.counter("gateway.policy.blocks", "kind", single ? "address" : "range").increment())
                    .onFailure().recoverWithItem(e -> {
                        registry.counter("gateway.policy.blocks.failed").increment();
                        LOG.errorf("block entry for %s not published, will decide again on the next record: %s", entry.cidr(), e);
                        blocks.withdraw(entry);
                        return null;
                    });
        }).toList();
        return Uni.join().all(sends).andCollectFailures().replaceWithVoid();
    }

    private static byte[] header(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null ? null : header.value();
    }
}
