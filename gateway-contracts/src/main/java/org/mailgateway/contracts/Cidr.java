package org.mailgateway.contracts;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Objects;

/**
 * An IPv4 or IPv6 network in CIDR notation ({@code 192.0.2.0/24}, {@code 2001:db8::/32}); a bare address is a
 * /32 or /128. Parsing never touches DNS: anything that is not an address literal is refused. Host bits
 * must be zero ({@code 192.0.2.7/24} is refused), so that one network has one spelling.
 */
public final class Cidr {

    private final byte[] network;
    private final int prefixLength;

    private Cidr(byte[] network, int prefixLength) {
        this.network = network;
        this.prefixLength = prefixLength;
    }

    /**
     * @throws IllegalArgumentException with a sentence that names the problem
     */
    public static Cidr parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty CIDR");
        }
        String trimmed = text.trim();
        int slash = trimmed.indexOf('/');
        String addressPart = slash < 0 ? trimmed : trimmed.substring(0, slash);
        byte[] address = parseAddress(addressPart);
        int maxPrefix = address.length * 8;
        int prefix = maxPrefix;
        if (slash >= 0) {
            String prefixPart = trimmed.substring(slash + 1);
            if (prefixPart.isEmpty() || prefixPart.length() > 3 || !prefixPart.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("invalid prefix length in '" + text + "'");
            }
            prefix = Integer.parseInt(prefixPart);
            if (prefix > maxPrefix) {
                throw new IllegalArgumentException("prefix length " + prefix + " is longer than " + maxPrefix + " in '" + text + "'");
            }
        }
        byte[] masked = mask(address, prefix);
        if (!Arrays.equals(masked, address)) {
            throw new IllegalArgumentException("'" + text + "' has host bits set; the network is " + format(masked, prefix));
        }
        return new Cidr(masked, prefix);
    }

    /** The network of {@code prefix} bits that contains {@code address}, e.g. the /24 around an IPv4 client. */
    public static Cidr around(InetAddress address, int prefix) {
        byte[] bytes = address.getAddress();
        if (prefix < 0 || prefix > bytes.length * 8) {
            throw new IllegalArgumentException("prefix length " + prefix + " does not fit " + address.getHostAddress());
        }
        return new Cidr(mask(bytes, prefix), prefix);
    }

    /** The network address (4 or 16 bytes, a copy). */
    public byte[] network() {
        return network.clone();
    }

    public int prefixLength() {
        return prefixLength;
    }

    public boolean contains(InetAddress address) {
        byte[] candidate = address.getAddress();
        return candidate.length == network.length && Arrays.equals(mask(candidate, prefixLength), network);
    }

    /** Parses an IPv4 dotted quad or an IPv6 literal, without any DNS lookup. */
    public static byte[] parseAddress(String text) {
        if (text.indexOf(':') >= 0) {
            if (!text.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv6 address");
            }
            try {
                byte[] bytes = InetAddress.getByName(text).getAddress();
                if (bytes.length != 16) {
                    throw new IllegalArgumentException("'" + text + "' is not an IPv6 address");
                }
                return bytes;
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv6 address", e);
            }
        }
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 address");
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            String part = parts[i];
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')
                    || (part.length() > 1 && part.charAt(0) == '0')) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 address");
            }
            int value = Integer.parseInt(part);
            if (value > 255) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 address");
            }
            bytes[i] = (byte) value;
        }
        return bytes;
    }

    private static byte[] mask(byte[] address, int prefix) {
        byte[] out = address.clone();
        for (int i = 0; i < out.length; i++) {
            int bitsHere = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] = (byte) (out[i] & (0xff00 >> bitsHere));
        }
        return out;
    }

    private static String format(byte[] address, int prefix) {
        try {
            String host = InetAddress.getByAddress(address).getHostAddress();
            return host + "/" + prefix;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return format(network, prefixLength);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr other && prefixLength == other.prefixLength && Arrays.equals(network, other.network);
    }

    @Override
    public int hashCode() {
        return Objects.hash(prefixLength, Arrays.hashCode(network));
    }
}
