package org.mailgateway.policy.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.eclipse.microprofile.reactive.messaging.Outgoing;
import org.jboss.logging.Logger;
import org.mailgateway.contracts.ContractJson;
import org.mailgateway.contracts.Envelope;
import org.mailgateway.contracts.MalformedRecordException;
import org.mailgateway.contracts.Verdict;
import org.mailgateway.policy.config.PolicyConfig;
import org.mailgateway.policy.rules.GtubeRule;
import org.mailgateway.policy.rules.HeloSyntaxRule;
import org.mailgateway.policy.rules.MessageFacts;
import org.mailgateway.policy.rules.RuleChain;

/**
 * {@code mail.inbound} in, {@code mail.verdicts} out: the same bytes, keyed by message id, with the envelope
 * and the verdict in headers. The incoming record is acknowledged (its offset committed) only after Kafka
 * acknowledged the verdict, so a crash in between means the message is scored again, never lost.
 */
@ApplicationScoped
public class VerdictProcessor {

    private static final Logger LOG = Logger.getLogger(VerdictProcessor.class);

    private final RuleChain chain;
    private final MeterRegistry registry;

    public VerdictProcessor(PolicyConfig config, MeterRegistry registry) {
        PolicyConfig.Scores scores = config.scores();
        this.chain = new RuleChain(List.of(
                new GtubeRule(scores.gtube()),
                new HeloSyntaxRule(scores.heloNotFqdn(), scores.heloBareIp())),
                config.quarantineThreshold(), scores.policyError(), Clock.systemUTC());
        this.registry = registry;
    }

    @Incoming("mail-inbound")
    @Outgoing("mail-verdicts")
    public Message<byte[]> score(Message<byte[]> inbound) {
        byte[] envelopeJson = inbound.getMetadata(IncomingKafkaRecordMetadata.class)
                .map(meta -> header(meta.getHeaders(), org.mailgateway.contracts.RecordHeaders.ENVELOPE))
                .orElse(null);
        Envelope envelope;
        try {
            envelope = ContractJson.read(envelopeJson, Envelope.class);
        } catch (MalformedRecordException e) {
            registry.counter("gateway.policy.malformed").increment();
            LOG.errorf("record without a readable envelope goes to the dead-letter topic: %s", e.getMessage());
            throw e;
        }
        Verdict verdict = chain.evaluate(new MessageFacts(envelope, inbound.getPayload()));
        registry.counter("gateway.policy.verdicts", "action", verdict.action().name()).increment();
        LOG.infof("verdict: id=%s client=%s helo=%s action=%s score=%.1f hits=%s", envelope.messageId(), envelope.clientIp(),
                envelope.heloName(), verdict.action(), verdict.score(),
                verdict.hits().stream().map(h -> h.rule()).toList());

        Headers headers = new RecordHeaders()
                .add(org.mailgateway.contracts.RecordHeaders.ENVELOPE, envelopeJson)
                .add(org.mailgateway.contracts.RecordHeaders.VERDICT, ContractJson.write(verdict));
        OutgoingKafkaRecordMetadata<String> out = OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(envelope.messageId())
                .withHeaders(headers)
                .build();
        return inbound.withMetadata(Metadata.of(out));
    }

    private static byte[] header(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null ? null : header.value();
    }
}
