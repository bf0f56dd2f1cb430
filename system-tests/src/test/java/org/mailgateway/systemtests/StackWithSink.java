package org.mailgateway.systemtests;

import java.nio.file.Path;
import java.util.function.BiFunction;
import org.mailgateway.localstack.Ports;
import org.mailgateway.localstack.Stack;
import org.mailgateway.localstack.StackOptions;
import org.mailgateway.localstack.testing.DownstreamSink;

/**
 * The fixture of the system tests that follow mail from SMTP to the next hop: the whole local stack (Kafka,
 * PostgreSQL, the four services) under {@code system-tests/target/NAME-millis}, whose SMTP hostname is
 * {@code gateway.test} and whose every route leads to one downstream sink, unless the test's settings say otherwise.
 */
final class StackWithSink implements AutoCloseable {

    private final StackOptions options;
    private final DownstreamSink sink;
    private Stack stack;

    private StackWithSink(StackOptions options, DownstreamSink sink, Stack stack) {
        this.options = options;
        this.sink = sink;
        this.stack = stack;
    }

    /**
     * Starts the sink, then the stack with {@code settings} applied to the defaults; the settings get the sink's
     * port, for routes of their own.
     */
    static StackWithSink start(String name, BiFunction<StackOptions, Integer, StackOptions> settings) {
        Path project = Path.of(System.getProperty("gateway.project.dir")).toAbsolutePath().normalize();
        Path data = project.resolve("system-tests/target/" + name + "-" + System.currentTimeMillis());
        int sinkPort = Ports.free();
        StackOptions options = settings.apply(StackOptions.forTests(project, data)
                .env("GATEWAY_SMTP_HOSTNAME", "gateway.test")
                .env("GATEWAY_DELIVERY_ROUTES", "*=[127.0.0.1]:" + sinkPort), sinkPort);
        DownstreamSink sink = DownstreamSink.start(sinkPort, data.resolve("downstream"));
        try {
            return new StackWithSink(options, sink, new Stack(options).start());
        } catch (RuntimeException e) {
            sink.close();
            throw e;
        }
    }

    Stack stack() {
        return stack;
    }

    DownstreamSink sink() {
        return sink;
    }

    /** Stops the whole stack and starts it again with the same options: the same ports, the same data. */
    void restartTheWholeStack() {
        stack.close();
        stack = new Stack(options).start();
    }

    @Override
    public void close() {
        try {
            stack.close();
        } finally {
            sink.close();
        }
    }
}
