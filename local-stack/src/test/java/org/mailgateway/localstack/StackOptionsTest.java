package org.mailgateway.localstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class StackOptionsTest {

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "ingress=2,policy=2,queue=2; 2; 2; 2; 1",
        "smtp-ingress=3;             3; 1; 1; 1",
        "' queue = 4 , admin=2 ';    1; 1; 4; 2",
        "'';                         1; 1; 1; 1"})
    void aScaleNamesServicesByModuleOrFirstWord(String spec, int ingress, int policy, int queue, int admin) {
        StackOptions options = new StackOptions().scale(spec);

        assertEquals(List.of(ingress, policy, queue, admin), List.of(options.instances(GatewayService.SMTP_INGRESS),
                options.instances(GatewayService.POLICY_SERVICE), options.instances(GatewayService.QUEUE_SERVICE),
                options.instances(GatewayService.ADMIN_API)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ingress", "ingress=two", "mailer=2", "queue=0"})
    void aWrongScaleIsRefused(String spec) {
        assertThrows(IllegalArgumentException.class, () -> new StackOptions().scale(spec));
    }

    @Test
    void furtherInstancesListenAHundredPortsHigher() {
        StackOptions options = new StackOptions().smtpPort(2525).httpPort(GatewayService.SMTP_INGRESS, 8081)
                .scale(GatewayService.SMTP_INGRESS, 3);

        assertEquals(List.of(2525, 2625, 2725), List.of(options.instanceSmtpPort(0), options.instanceSmtpPort(1),
                options.instanceSmtpPort(2)));
        assertEquals(List.of(8081, 8181), List.of(options.instanceHttpPort(GatewayService.SMTP_INGRESS, 0),
                options.instanceHttpPort(GatewayService.SMTP_INGRESS, 1)));
    }

    @Test
    void inTestsEveryInstanceGetsAFreePortOfItsOwn() {
        StackOptions options = StackOptions.forTests(Path.of("."), Path.of("target/x")).scale(GatewayService.SMTP_INGRESS, 2);

        int second = options.instanceSmtpPort(1);
        assertEquals(second, options.instanceSmtpPort(1), "the port is chosen once");
        assertEquals(2, List.of(options.instanceSmtpPort(0), second).stream().distinct().count());
    }
}
