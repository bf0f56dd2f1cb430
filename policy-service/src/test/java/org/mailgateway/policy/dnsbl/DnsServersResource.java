package org.mailgateway.policy.dnsbl;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Points the policy service at a test DNS server: {@code server=rbldnsd} (the real blocklist server with the test
 * zones) or {@code server=silent} (one that never answers), with a short DNS timeout.
 */
public class DnsServersResource implements QuarkusTestResourceLifecycleManager {

    private String server;
    private AutoCloseable running;

    @Override
    public void init(Map<String, String> args) {
        server = args.getOrDefault("server", "rbldnsd");
    }

    @Override
    public Map<String, String> start() {
        int port;
        if (server.equals("silent")) {
            SilentDnsServer silent = new SilentDnsServer();
            running = silent;
            port = silent.port();
        } else {
            var rbldnsd = Rbldnsd.start();
            running = rbldnsd;
            port = rbldnsd.port();
        }
        return Map.of(
                "gateway.dnsbl.zones", "bl.test=4:127.0.0.2-127.0.0.11,wl.test=-3",
                "gateway.dns.servers", "127.0.0.1:" + port,
                "gateway.dnsbl.timeout", "PT1S");
    }

    @Override
    public void stop() {
        try {
            if (running != null) {
                running.close();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
