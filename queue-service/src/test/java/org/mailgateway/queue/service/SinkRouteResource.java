package org.mailgateway.queue.service;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;
import org.mailgateway.localstack.Ports;

/**
 * Routes every domain to a port on which the tests start (and stop) a downstream sink; {@code stalled.test} to a port
 * of its own, for a downstream that stalls while the others flow.
 */
public class SinkRouteResource implements QuarkusTestResourceLifecycleManager {

    static final int SINK_PORT = Ports.free();
    static final int STALL_PORT = Ports.free();

    @Override
    public Map<String, String> start() {
        return Map.of("gateway.delivery.routes", "stalled.test=[127.0.0.1]:" + STALL_PORT + ",*=[127.0.0.1]:" + SINK_PORT);
    }

    @Override
    public void stop() {
    }
}
