package org.mailgateway.ingress.smtp;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mailgateway.localstack.testing.EmbeddedInfrastructureResource;

/**
 * The ingress's replies, checked one SMTP conversation at a time: every script in
 * {@code src/test/resources/conformance} is a dialogue (see {@link DialogueScript} for the notation) run
 * against the ingress with a real Kafka behind it. 127.0.0.1 is a trusted network; 127.0.0.2 is an ordinary
 * internet client; the user alice may AUTH after STARTTLS (see test-credentials.txt).
 */
@QuarkusTest
@WithTestResource(value = EmbeddedInfrastructureResource.class, initArgs = @ResourceArg(name = "smtp", value = "true"))
class SmtpConformanceIT {

    static Stream<DialogueScript> scripts() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("src/test/resources/conformance"))) {
            return files.filter(f -> f.toString().endsWith(".smtp")).sorted().map(DialogueScript::read).toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scripts")
    void dialogue(DialogueScript script) {
        script.run(EmbeddedInfrastructureResource.smtpPort());
    }
}
