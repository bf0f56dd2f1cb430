package org.mailgateway.policy.blocking;

import java.net.InetAddress;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.mailgateway.contracts.Cidr;

/**
 * When mail from each /24 (IPv6: /64) was last delivered (scored DELIVER, not quarantined) by this instance:
 * the evidence that vetoes blocking a whole range. Bounded; the least recently delivering ranges are forgotten.
 */
public final class DeliveryLog {

    private final LinkedHashMap<Cidr, Instant> lastDelivered;

    public DeliveryLog(int maxRanges) {
        this.lastDelivered = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Cidr, Instant> eldest) {
                return size() > maxRanges;
            }
        };
    }

    /** The /24 or /64 around an address: the range a range block would cover. */
    public static Cidr rangeOf(InetAddress address) {
        return Cidr.around(address, address.getAddress().length == 4 ? 24 : 64);
    }

    public synchronized void delivered(InetAddress client, Instant at) {
        lastDelivered.merge(rangeOf(client), at, (a, b) -> a.isAfter(b) ? a : b);
    }

    public synchronized Optional<Instant> lastDelivered(Cidr range) {
        return Optional.ofNullable(lastDelivered.get(range));
    }
}
