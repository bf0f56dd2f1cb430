package org.mailgateway.queue.service;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;
import org.mailgateway.localstack.Ports;

/** Routes every domain to a port on which the tests start (and stop) a downstream sink. */
public class SinkRouteResource implements QuarkusTestResourceLifecycleManager {

    static final int SINK_PORT = Ports.free();

    @Override
    public Map<String, String> start() {
        return Map.of("gateway.delivery.routes", "*=[127.0.0.1]:" + SINK_PORT);
    }

    @Override
    public void stop() {
    }
}
