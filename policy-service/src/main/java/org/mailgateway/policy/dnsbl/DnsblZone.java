package org.mailgateway.policy.dnsbl;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntPredicate;
import org.mailgateway.contracts.Cidr;

/**
 * One configured zone: {@code zone=weight[:filter]}. The filter decides which A answers count; it is a list of
 * alternatives joined with {@code |}, each a range {@code 127.0.0.2-127.0.0.11}, one address {@code 127.0.0.4}
 * or a bitmask on the last octet {@code &0x0c} (or {@code &12}). Without a filter any answer in 127.0.0.0/8 counts
 * (RFC 5782: answers outside it are not listings).
 */
public record DnsblZone(String zone, double weight, String filterText, List<IntPredicate> filter) {

    /** @throws IllegalArgumentException with a sentence that names the problem */
    public static DnsblZone parse(String entry) {
        String text = entry.trim();
        int equals = text.indexOf('=');
        if (equals <= 0) {
            throw new IllegalArgumentException("DNSBL zone '" + entry + "' is not zone=weight[:filter]");
        }
        String zone = text.substring(0, equals).trim().toLowerCase(Locale.ROOT);
        String rest = text.substring(equals + 1);
        int colon = rest.indexOf(':');
        String weightText = colon < 0 ? rest : rest.substring(0, colon);
        String filterText = colon < 0 ? "127.0.0.0-127.255.255.255" : rest.substring(colon + 1).trim();
        double weight;
        try {
            weight = Double.parseDouble(weightText.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("DNSBL zone '" + entry + "' has no numeric weight", e);
        }
        List<IntPredicate> filter = new ArrayList<>();
        for (String alternative : filterText.split("\\|")) {
            filter.add(alternative(alternative.trim(), entry));
        }
        return new DnsblZone(zone, weight, filterText, List.copyOf(filter));
    }

    /** Whether an A answer (dotted quad) counts as a listing. */
    public boolean accepts(String answer) {
        int value;
        try {
            value = toInt(answer);
        } catch (IllegalArgumentException notIpv4) {
            return false;
        }
        return filter.stream().anyMatch(p -> p.test(value));
    }

    private static IntPredicate alternative(String text, String entry) {
        try {
            if (text.startsWith("&")) {
                String mask = text.substring(1);
                int bits = mask.startsWith("0x") || mask.startsWith("0X") ? Integer.parseInt(mask.substring(2), 16) : Integer.parseInt(mask);
                return value -> (value >>> 24) == 127 && (value & 0xff & bits) != 0;
            }
            int dash = text.indexOf('-');
            long from = Integer.toUnsignedLong(toInt(dash < 0 ? text : text.substring(0, dash)));
            long to = Integer.toUnsignedLong(toInt(dash < 0 ? text : text.substring(dash + 1)));
            return value -> Integer.toUnsignedLong(value) >= from && Integer.toUnsignedLong(value) <= to;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("DNSBL zone '" + entry + "': '" + text
                    + "' is not a range a.b.c.d-e.f.g.h, an address or a bitmask &0x..", e);
        }
    }

    private static int toInt(String dottedQuad) {
        byte[] bytes = Cidr.parseAddress(dottedQuad.trim());
        if (bytes.length != 4) {
            throw new IllegalArgumentException(dottedQuad + " is not IPv4");
        }
        return ((bytes[0] & 0xff) << 24) | ((bytes[1] & 0xff) << 16) | ((bytes[2] & 0xff) << 8) | (bytes[3] & 0xff);
    }

    /** The name to ask for {@code ip} in this zone: reversed octets (IPv4) or reversed nibbles (IPv6). */
    public String queryName(String ip) {
        byte[] bytes = Cidr.parseAddress(ip);
        StringBuilder name = new StringBuilder();
        for (int i = bytes.length - 1; i >= 0; i--) {
            int b = bytes[i] & 0xff;
            if (bytes.length == 4) {
                name.append(b).append('.');
            } else {
                name.append(Character.forDigit(b & 0xf, 16)).append('.').append(Character.forDigit(b >>> 4, 16)).append('.');
            }
        }
        return name.append(zone).toString();
    }
}
