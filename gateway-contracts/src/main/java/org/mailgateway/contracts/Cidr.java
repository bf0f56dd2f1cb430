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

    /**
     * Parses an IPv4 dotted quad or an IPv6 literal, without any DNS lookup.
     *
     * @throws IllegalArgumentException saying which kind of address {@code text} is not
     */
    public static byte[] parseAddress(String text) {
        byte[] bytes = addressOrNull(text);
        if (bytes == null) {
            throw new IllegalArgumentException("'" + text + "' is not an " + (text.indexOf(':') >= 0 ? "IPv6" : "IPv4") + " address");
        }
        return bytes;
    }

    /**
     * Like {@link #parseAddress}, but null for text that is not an address. For the hot paths that ask of every
     * message whether a name is an address (a HELO name usually is not): no exception built per message.
     */
    public static byte[] addressOrNull(String text) {
        if (text.indexOf(':') >= 0) {
            if (!text.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
                return null;
            }
            try {
                byte[] bytes = InetAddress.getByName(text).getAddress();
                return bytes.length == 16 ? bytes : null;
            } catch (UnknownHostException e) {
                return null;
            }
        }
        byte[] bytes = new byte[4];
        int part = 0;
        int value = 0;
        int digits = 0;
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : '.';
            if (c == '.') {
                if (digits == 0 || part == 4 || value > 255) {
                    return null;
                }
                bytes[part++] = (byte) value;
                value = 0;
                digits = 0;
            } else if (c >= '0' && c <= '9' && digits < 3 && !(digits == 1 && value == 0)) {
                value = value * 10 + (c - '0');
                digits++;
            } else {
                return null; // not a digit, a fourth digit, or a leading zero
            }
        }
        return part == 4 ? bytes : null;
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
