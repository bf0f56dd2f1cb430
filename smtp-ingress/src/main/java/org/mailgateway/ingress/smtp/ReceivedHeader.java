package org.mailgateway.ingress.smtp;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import org.mailgateway.contracts.SessionSummary;

/**
 * The trace header the gateway adds on top of each message (RFC 5321 section 4.4, RFC 5322 section 3.6.7).
 * It is the only change made to the bytes a client sent.
 */
public final class ReceivedHeader {

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT);

    private ReceivedHeader() {
    }

    /**
     * @param protocol   the RFC 3848 name: SMTP, ESMTP, ESMTPS (TLS), ESMTPA (AUTH), ESMTPSA
     * @param tls        the session's TLS protocol and cipher, or null
     * @param authenticated whether the client authenticated
     * @param authUser   the user to name, or null to say only that AUTH succeeded (the default)
     * @param recipients named in a {@code for} clause only when there is one, as other MTAs do, so that one
     *                   copy does not disclose the other recipients
     */
    public static byte[] build(String heloName, InetAddress client, String hostname, String protocol, String messageId,
            List<String> recipients, ZonedDateTime when, SessionSummary.Tls tls, boolean authenticated, String authUser) {
        StringBuilder h = new StringBuilder(256);
        h.append("Received: from ").append(printable(heloName))
                .append(" (").append(addressLiteral(client)).append(")\r\n");
        if (tls != null) {
            h.append("\t(using ").append(printable(tls.protocol())).append(" with cipher ").append(printable(tls.cipher()))
                    .append(")\r\n");
        }
        h.append("\t(authenticated: ").append(authenticated ? "yes" : "no");
        if (authenticated && authUser != null) {
            h.append(" as ").append(printable(authUser));
        }
        h.append(")\r\n");
        h.append("\tby ").append(hostname).append(" with ").append(protocol).append(" id ").append(messageId);
        if (recipients.size() == 1) {
            h.append("\r\n\tfor <").append(printable(recipients.get(0))).append('>');
        }
        h.append("; ").append(DATE.format(when)).append("\r\n");
        return h.toString().getBytes(StandardCharsets.US_ASCII);
    }

    static String addressLiteral(InetAddress client) {
        return client instanceof Inet6Address ? "[IPv6:" + client.getHostAddress() + "]" : "[" + client.getHostAddress() + "]";
    }

    /** Free text (spaces allowed) made safe for a reply or header line: printable ASCII, at most {@code max} characters. */
    static String printableText(String text, int max) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), max));
        for (int i = 0; i < text.length() && i < max; i++) {
            char c = text.charAt(i);
            out.append(c >= 32 && c < 127 ? c : '?');
        }
        return out.toString();
    }

    /** What a client sent, made safe for a header: printable ASCII only, parentheses replaced, bounded length. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), 255));
        for (int i = 0; i < text.length() && i < 255; i++) {
            char c = text.charAt(i);
            out.append(c > 32 && c < 127 && c != '(' && c != ')' ? c : '?');
        }
        return out.length() == 0 ? "?" : out.toString();
    }
}
