package org.mailgateway.policy.dnsbl;

import java.util.List;
import org.mailgateway.localstack.testing.Rbldnsd.Zone;

/**
 * The policy tests' DNS blocklist server (Debian's rbldnsd), serving {@code bl.test} (127.0.0.77 and
 * 192.0.2.0/25 listed as 127.0.0.2; 192.0.2.200 listed as 127.0.0.20) and the allowlist {@code wl.test}
 * (198.51.100.55 as 127.0.5.3).
 */
final class Rbldnsd {

    private Rbldnsd() {
    }

    static org.mailgateway.localstack.testing.Rbldnsd start() {
        return org.mailgateway.localstack.testing.Rbldnsd.start(List.of(
                new Zone("bl.test", "ip4set", List.of(
                        ":127.0.0.2:listed for testing",
                        "127.0.0.77",
                        "192.0.2.0/25",
                        "192.0.2.200 :127.0.0.20:outside the filter")),
                new Zone("wl.test", "ip4set", List.of(":127.0.5.3:welcome", "198.51.100.55"))));
    }
}
