package org.mailgateway.ingress.smtp;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.mailgateway.contracts.ContractJson;
import org.mailgateway.contracts.Envelope;
import org.mailgateway.contracts.RecordHeaders;
import org.mailgateway.contracts.Topics;
import org.mailgateway.localstack.testing.EmbeddedInfrastructure;

/** Reads {@code mail.inbound} from the beginning, as the policy service would. */
final class InboundTopic {

    private InboundTopic() {
    }

    static ConsumerRecord<String, byte[]> awaitMessage(String messageId) {
        Map<String, Object> props = Map.of(
                "bootstrap.servers", EmbeddedInfrastructure.kafkaBootstrapServers(),
                "group.id", "test-" + UUID.randomUUID(),
                "auto.offset.reset", "earliest",
                "key.deserializer", StringDeserializer.class.getName(),
                "value.deserializer", ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(Topics.MAIL_INBOUND));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (envelope(record).messageId().equals(messageId)) {
                        return record;
                    }
                }
            }
        }
        throw new AssertionError("message " + messageId + " never reached " + Topics.MAIL_INBOUND);
    }

    static Envelope envelope(ConsumerRecord<String, byte[]> record) {
        Header header = record.headers().lastHeader(RecordHeaders.ENVELOPE);
        return ContractJson.read(header == null ? null : header.value(), Envelope.class);
    }
}
