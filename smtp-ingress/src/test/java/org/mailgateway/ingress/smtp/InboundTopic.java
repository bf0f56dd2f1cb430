package org.mailgateway.ingress.smtp;

import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.mailgateway.contracts.ContractJson;
import org.mailgateway.contracts.Envelope;
import org.mailgateway.contracts.RecordHeaders;
import org.mailgateway.contracts.Topics;
import org.mailgateway.localstack.testing.EmbeddedInfrastructure;
import org.mailgateway.localstack.testing.TopicReader;

/** Reads {@code mail.inbound} from the beginning, as the policy service would. */
final class InboundTopic {

    private InboundTopic() {
    }

    static ConsumerRecord<String, byte[]> awaitMessage(String messageId) {
        return TopicReader.awaitRecord(EmbeddedInfrastructure.kafkaBootstrapServers(), Topics.MAIL_INBOUND,
                record -> envelope(record).messageId().equals(messageId), Duration.ofSeconds(60));
    }

    static Envelope envelope(ConsumerRecord<String, byte[]> record) {
        return ContractJson.read(TopicReader.header(record, RecordHeaders.ENVELOPE), Envelope.class);
    }
}
