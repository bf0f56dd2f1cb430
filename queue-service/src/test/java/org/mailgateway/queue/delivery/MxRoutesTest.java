package org.mailgateway.queue.delivery;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mailgateway.localstack.testing.Rbldnsd;
import org.mailgateway.queue.delivery.RecipientResult.Outcome;

/**
 * MX routes against a real DNS server (Debian's rbldnsd) serving {@code mx.test}, and hosts tried in order:
 * the first MX host of {@code two.mx.test} has nobody listening (127.0.0.2), the second is the test's server.
 */
class MxRoutesTest {

    private static final byte[] MESSAGE = "Subject: mx\r\n\r\nvia the second MX host\r\n".getBytes(StandardCharsets.US_ASCII);

    private static Rbldnsd dns;
    private Vertx vertx;
    private ScriptedSmtpServer server;
    private MxResolver resolver;

    @BeforeAll
    static void startDns() {
        dns = Rbldnsd.start(List.of(new Rbldnsd.Zone("mx.test", "generic", List.of(
                "two MX 20 second.mx.test",
                "two MX 10 first.mx.test",
                "first A 127.0.0.2",
                "second A 127.0.0.1",
                "plain A 127.0.0.1",
                "nullmx MX 0 ."))));
    }

    @AfterAll
    static void stopDns() {
        dns.close();
    }

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        server = new ScriptedSmtpServer();
        resolver = new MxResolver(vertx, dns.address(), Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private int port() {
        return server.destination().port();
    }

    @Test
    void mxHostsComeInPreferenceOrderAndTheFirstReachableOneGetsTheMail() throws Exception {
        MxResolver.Result result = await(resolver.resolve("two.mx.test", port()));

        List<Destination> hosts = assertInstanceOf(MxResolver.Found.class, result).hosts();
        assertEquals(List.of(new Destination("127.0.0.2", port()), new Destination("127.0.0.1", port())), hosts);

        SmtpDeliveryClient client = new SmtpDeliveryClient(vertx, "gateway.test", Duration.ofSeconds(5),
                Duration.ofSeconds(5), new SmtpDeliveryClient.PoolSettings(10, Duration.ofSeconds(30), 100, true, Set.of()));
        List<RecipientResult> results = await(client.deliver(hosts, "a@example.org", List.of("b@two.mx.test"),
                Buffer.buffer(MESSAGE)));

        assertEquals(List.of(Outcome.DELIVERED), results.stream().map(RecipientResult::outcome).toList());
        assertArrayEquals(MESSAGE, server.received.get(0).data());
    }

    @Test
    void whenNoHostAnswersTheMailIsDeferredWithEveryHostsError() throws Exception {
        SmtpDeliveryClient client = new SmtpDeliveryClient(vertx, "gateway.test", Duration.ofSeconds(5),
                Duration.ofSeconds(5), new SmtpDeliveryClient.PoolSettings(10, Duration.ofSeconds(30), 100, true, Set.of()));
        List<Destination> dead = List.of(new Destination("127.0.0.2", port()), new Destination("127.0.0.3", port()));

        RecipientResult result = await(client.deliver(dead, "a@example.org", List.of("b@two.mx.test"),
                Buffer.buffer(MESSAGE))).get(0);

        assertEquals(Outcome.DEFERRED, result.outcome());
        assertTrue(result.reply().contains("127.0.0.2:" + port()) && result.reply().contains("127.0.0.3:" + port()),
                result.reply());
    }

    @Test
    void aDomainWithoutMxIsItsOwnMailServer() throws Exception {
        MxResolver.Result result = await(resolver.resolve("plain.mx.test", port()));

        assertEquals(List.of(new Destination("127.0.0.1", port())), assertInstanceOf(MxResolver.Found.class, result).hosts());
    }

    @Test
    void aNullMxAndAMissingDomainFailForGood() throws Exception {
        MxResolver.NotFound nullMx = assertInstanceOf(MxResolver.NotFound.class, await(resolver.resolve("nullmx.mx.test", 25)));
        MxResolver.NotFound missing = assertInstanceOf(MxResolver.NotFound.class, await(resolver.resolve("none.mx.test", 25)));

        assertEquals(556, nullMx.reply().code(), nullMx.reply().toString());
        assertEquals(550, missing.reply().code(), missing.reply().toString());
    }

    @Test
    void aResolverThatDoesNotAnswerDefers() throws Exception {
        try (var silent = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            MxResolver deaf = new MxResolver(vertx, "127.0.0.1:" + silent.getLocalPort(), Duration.ofMillis(300));

            MxResolver.NotFound none = assertInstanceOf(MxResolver.NotFound.class, await(deaf.resolve("two.mx.test", 25)));

            assertTrue(none.reply().isTransient(), none.reply().toString());
        }
    }
}
