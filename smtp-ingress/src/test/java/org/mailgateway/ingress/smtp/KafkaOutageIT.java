package org.mailgateway.ingress.smtp;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.mailgateway.localstack.testing.EmbeddedInfrastructure;
import org.mailgateway.localstack.testing.EmbeddedInfrastructureResource;
import org.mailgateway.localstack.testing.SmtpDialogue;

/**
 * Durable acceptance: while the broker is away the client hears 451 4.3.0 (and keeps its message), the
 * ingress stays alive, and once the broker is back mail is accepted again.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedInfrastructureResource.class, initArgs = @ResourceArg(name = "smtp", value = "true"))
class KafkaOutageIT {

    @Test
    void brokerDownMeans451AndNothingAcceptedThenRecovery() {
        sendOne(250);
        EmbeddedInfrastructure.stopKafka();
        try {
            sendOne(451);
            given().get("/q/health/live").then().statusCode(200);
            given().get("/q/health/ready").then().statusCode(503);
        } finally {
            EmbeddedInfrastructure.startKafka();
        }
        String id = sendOne(250);
        assertEquals(id, InboundTopic.envelope(InboundTopic.awaitMessage(id)).messageId());
    }

    private static String sendOne(int expectedFinalCode) {
        try (SmtpDialogue smtp = SmtpDialogue.connect("127.0.0.3", EmbeddedInfrastructureResource.smtpPort()).expect(220)) {
            smtp.send("EHLO client.example.org").expect(250)
                    .send("MAIL FROM:<a@example.org>").expect(250)
                    .send("RCPT TO:<b@example.test>").expect(250)
                    .send("DATA").expect(354)
                    .sendRaw("Subject: outage\r\n\r\nbody\r\n.\r\n").expect(expectedFinalCode);
            return expectedFinalCode == 250 ? SmtpIngressIT.queuedId(smtp) : null;
        }
    }
}
