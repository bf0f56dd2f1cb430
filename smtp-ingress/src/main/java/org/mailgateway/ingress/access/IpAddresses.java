package org.mailgateway.ingress.access;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import org.mailgateway.contracts.Cidr;

/** Address literals without DNS, and IPv4-mapped IPv6 addresses seen as the IPv4 clients they are. */
public final class IpAddresses {

    private IpAddresses() {
    }

    /** Parses an IPv4 or IPv6 literal; never a DNS lookup. */
    public static InetAddress parse(String literal) {
        try {
            return unmapped(InetAddress.getByAddress(Cidr.parseAddress(literal)));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + literal + "' is not an IP address", e);
        }
    }

    /** {@code ::ffff:192.0.2.1} (how a dual-stack socket reports an IPv4 client) becomes {@code 192.0.2.1}. */
    public static InetAddress unmapped(InetAddress address) {
        if (address instanceof Inet6Address) {
            byte[] b = address.getAddress();
            boolean mapped = b[10] == (byte) 0xff && b[11] == (byte) 0xff;
            for (int i = 0; i < 10 && mapped; i++) {
                mapped = b[i] == 0;
            }
            if (mapped) {
                try {
                    return InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16));
                } catch (UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return address;
    }
}
