package org.mailgateway.admin.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * admin-api without a reachable Kafka broker: it stays ready (the operator can still read quarantine and
 * clients), and a change to a block list is refused with 503 within the send timeout instead of hanging.
 */
@QuarkusTest
@TestProfile(KafkaDownIT.ShortSendTimeout.class)
@WithTestResource(value = MailStoreResource.class, initArgs = @ResourceArg(name = "kafka", value = "down"))
class KafkaDownIT {

    public static class ShortSendTimeout implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("gateway.admin.kafka-send-timeout", "PT2S");
        }
    }

    @Test
    void readinessDoesNotDependOnKafka() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void readsWorkAndAChangeIsA503() throws Exception {
        given().auth().oauth2(TestKeys.operator()).get("/api/v1/blocklist").then().statusCode(200);
        given().auth().oauth2(TestKeys.operator()).get("/api/v1/clients/192.0.2.1").then().statusCode(200);
        given().auth().oauth2(TestKeys.operator()).contentType(ContentType.JSON)
                .body("{\"cidr\":\"192.0.2.0/24\",\"reason\":\"x\"}").post("/api/v1/blocklist").then().statusCode(503)
                .contentType("application/problem+json").body("detail", containsString("Kafka did not acknowledge"));
    }
}
