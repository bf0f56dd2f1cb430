package org.mailgateway.smtp.codec;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * One SMTP reply: a three-digit code, an RFC 3463 enhanced status code ({@code null} where RFC 2034 says
 * there is none: the greeting and the EHLO/HELO replies) and one or more text lines.
 */
public record SmtpReply(int code, String enhancedCode, List<String> lines) {

    public SmtpReply {
        if (code < 200 || code > 599) {
            throw new IllegalArgumentException("reply code " + code);
        }
        lines = List.copyOf(lines);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("a reply has at least one line");
        }
    }

    public static SmtpReply of(int code, String enhancedCode, String text) {
        return new SmtpReply(code, enhancedCode, List.of(text));
    }

    public boolean isPositive() {
        return code < 400;
    }

    public boolean isTransient() {
        return code >= 400 && code < 500;
    }

    /** The text of all lines joined with a space, without codes: for logs and stored error messages. */
    public String text() {
        return String.join(" ", lines);
    }

    /** The wire form: {@code 250-first\r\n250 last\r\n}, the enhanced code after the reply code on each line. */
    public Buffer encode() {
        StringBuilder out = new StringBuilder(64);
        for (int i = 0; i < lines.size(); i++) {
            out.append(code).append(i == lines.size() - 1 ? ' ' : '-');
            if (enhancedCode != null) {
                out.append(enhancedCode).append(' ');
            }
            out.append(lines.get(i)).append("\r\n");
        }
        return Buffer.buffer(out.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return code + (enhancedCode == null ? "" : " " + enhancedCode) + " " + text();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SmtpReply r && r.code == code && Objects.equals(r.enhancedCode, enhancedCode)
                && r.lines.equals(lines);
    }

    @Override
    public int hashCode() {
        return Objects.hash(code, enhancedCode, lines);
    }
}
