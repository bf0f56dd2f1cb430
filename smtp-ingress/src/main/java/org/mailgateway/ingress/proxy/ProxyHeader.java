package org.mailgateway.ingress.proxy;

import io.vertx.core.buffer.Buffer;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/**
 * Reads the HAProxy PROXY protocol header (version 1, text, and version 2, binary) that a load balancer puts
 * before the client's first byte, so that the gateway sees the real client address. Pure: it only looks at
 * the bytes it is given and never throws on any input.
 */
public final class ProxyHeader {

    /** The outcome of looking at the start of a connection's bytes. */
    public sealed interface Result {
    }

    /** Not enough bytes yet to decide. */
    public record NeedMore() implements Result {
    }

    /** Not a valid PROXY header: the connection must be closed. */
    public record Invalid(String reason) implements Result {
    }

    /**
     * A complete header of {@code length} bytes. {@code client} is the original source address, or null when
     * the header carries none (v1 {@code UNKNOWN}, v2 {@code LOCAL}: a health check of the load balancer
     * itself), in which case the socket's peer is the client.
     */
    public record Parsed(InetAddress client, int length) implements Result {
    }

    static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    private static final byte[] V1_PREFIX = "PROXY ".getBytes(StandardCharsets.US_ASCII);
    /** The longest v1 line, CRLF included (the specification's figure). */
    private static final int V1_MAX = 107;
    /** Larger TLVs than this are not something a load balancer in front of SMTP sends. */
    private static final int V2_MAX_PAYLOAD = 4096;

    private ProxyHeader() {
    }

    public static Result parse(Buffer input) {
        int n = input.length();
        if (n == 0) {
            return new NeedMore();
        }
        if (input.getByte(0) == V2_SIGNATURE[0] && (n < 2 || input.getByte(1) == V2_SIGNATURE[1])) {
            return parseV2(input);
        }
        if (input.getByte(0) == 'P') {
            return parseV1(input);
        }
        return new Invalid("the connection did not start with a PROXY protocol header");
    }

    private static Result parseV1(Buffer input) {
        int n = input.length();
        for (int i = 0; i < Math.min(n, V1_PREFIX.length); i++) {
            if (input.getByte(i) != V1_PREFIX[i]) {
                return new Invalid("the connection did not start with a PROXY protocol header");
            }
        }
        int lf = -1;
        for (int i = 0; i < Math.min(n, V1_MAX); i++) {
            if (input.getByte(i) == '\n') {
                lf = i;
                break;
            }
        }
        if (lf < 0) {
            return n >= V1_MAX ? new Invalid("PROXY v1 header longer than 107 octets") : new NeedMore();
        }
        if (lf == 0 || input.getByte(lf - 1) != '\r') {
            return new Invalid("PROXY v1 header not terminated by CRLF");
        }
        String line = input.getString(0, lf - 1, StandardCharsets.US_ASCII.name());
        String[] parts = line.split(" ", -1);
        if (parts.length >= 2 && parts[1].equals("UNKNOWN")) {
            return new Parsed(null, lf + 1);
        }
        if (parts.length != 6 || !(parts[1].equals("TCP4") || parts[1].equals("TCP6"))) {
            return new Invalid("malformed PROXY v1 header");
        }
        try {
            byte[] source = org.mailgateway.contracts.Cidr.parseAddress(parts[2]);
            byte[] destination = org.mailgateway.contracts.Cidr.parseAddress(parts[3]);
            int expected = parts[1].equals("TCP4") ? 4 : 16;
            if (source.length != expected || destination.length != expected || !port(parts[4]) || !port(parts[5])) {
                return new Invalid("malformed PROXY v1 header");
            }
            return new Parsed(InetAddress.getByAddress(source), lf + 1);
        } catch (IllegalArgumentException | UnknownHostException e) {
            return new Invalid("malformed PROXY v1 header");
        }
    }

    private static boolean port(String text) {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9')
                || (text.length() > 1 && text.charAt(0) == '0')) {
            return false;
        }
        return Integer.parseInt(text) <= 65535;
    }

    private static Result parseV2(Buffer input) {
        int n = input.length();
        for (int i = 0; i < Math.min(n, V2_SIGNATURE.length); i++) {
            if (input.getByte(i) != V2_SIGNATURE[i]) {
                return new Invalid("the connection did not start with a PROXY protocol header");
            }
        }
        if (n < 16) {
            return new NeedMore();
        }
        int versionCommand = input.getUnsignedByte(12);
        if (versionCommand >> 4 != 2) {
            return new Invalid("unsupported PROXY protocol version " + (versionCommand >> 4));
        }
        int command = versionCommand & 0x0F;
        int family = input.getUnsignedByte(13);
        int payload = input.getUnsignedShort(14);
        if (payload > V2_MAX_PAYLOAD) {
            return new Invalid("PROXY v2 header too long");
        }
        if (n < 16 + payload) {
            return new NeedMore();
        }
        int length = 16 + payload;
        if (command == 0x0) {
            return new Parsed(null, length); // LOCAL
        }
        if (command != 0x1) {
            return new Invalid("unknown PROXY v2 command " + command);
        }
        try {
            return switch (family) {
                case 0x11, 0x12 -> payload < 12 ? new Invalid("PROXY v2 IPv4 block too short")
                        : new Parsed(InetAddress.getByAddress(input.getBytes(16, 20)), length);
                case 0x21, 0x22 -> payload < 36 ? new Invalid("PROXY v2 IPv6 block too short")
                        : new Parsed(InetAddress.getByAddress(input.getBytes(16, 32)), length);
                case 0x00 -> new Parsed(null, length); // UNSPEC
                default -> new Invalid("PROXY v2 address family " + family + " is not TCP or UDP over IP");
            };
        } catch (UnknownHostException e) {
            return new Invalid("malformed PROXY v2 address");
        }
    }
}
