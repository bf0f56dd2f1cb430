package org.mailgateway.smtp.codec;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Client side: turns the bytes a server sends into {@link SmtpReply} values, across any TCP segmentation.
 * A reply line longer than {@link #MAX_LINE} or without a three-digit code is a protocol error.
 */
public final class ReplyParser {

    /** Far more than RFC 5321's 512 octets for a reply line, to tolerate chatty servers. */
    public static final int MAX_LINE = 4096;

    private static final Pattern ENHANCED = Pattern.compile("^[245]\\.\\d{1,3}\\.\\d{1,3}$");

    private Buffer pending = Buffer.buffer();
    private final List<String> lines = new ArrayList<>();
    private int currentCode = -1;

    /** Adds bytes and returns the replies that are now complete (often none, sometimes several). */
    public List<SmtpReply> feed(Buffer bytes) {
        pending.appendBuffer(bytes);
        List<SmtpReply> replies = new ArrayList<>(1);
        int start = 0;
        for (int i = 0; i < pending.length(); i++) {
            if (pending.getByte(i) == '\n') {
                int end = i > start && pending.getByte(i - 1) == '\r' ? i - 1 : i;
                SmtpReply reply = line(pending.getString(start, end, StandardCharsets.UTF_8.name()));
                if (reply != null) {
                    replies.add(reply);
                }
                start = i + 1;
            }
        }
        pending = pending.getBuffer(start, pending.length());
        if (pending.length() > MAX_LINE) {
            throw new SmtpProtocolException("reply line longer than " + MAX_LINE + " octets");
        }
        return replies;
    }

    private SmtpReply line(String line) {
        if (line.length() < 3 || !Character.isDigit(line.charAt(0)) || !Character.isDigit(line.charAt(1))
                || !Character.isDigit(line.charAt(2)) || (line.length() > 3 && line.charAt(3) != ' ' && line.charAt(3) != '-')) {
            throw new SmtpProtocolException("not an SMTP reply line: " + abbreviate(line));
        }
        int code = Integer.parseInt(line.substring(0, 3));
        if (code < 200 || code > 599) {
            throw new SmtpProtocolException("reply code out of range: " + abbreviate(line));
        }
        if (currentCode >= 0 && code != currentCode) {
            throw new SmtpProtocolException("reply code changed inside a multi-line reply: " + abbreviate(line));
        }
        currentCode = code;
        boolean last = line.length() == 3 || line.charAt(3) == ' ';
        lines.add(line.length() > 4 ? line.substring(4) : "");
        if (!last) {
            return null;
        }
        String enhanced = null;
        List<String> text = new ArrayList<>(lines);
        String first = text.get(0);
        int space = first.indexOf(' ');
        String head = space < 0 ? first : first.substring(0, space);
        if (ENHANCED.matcher(head).matches() && head.charAt(0) == line.charAt(0)) {
            enhanced = head;
            for (int i = 0; i < text.size(); i++) {
                String t = text.get(i);
                if (t.startsWith(head)) {
                    text.set(i, t.substring(head.length()).stripLeading());
                }
            }
        }
        lines.clear();
        currentCode = -1;
        return new SmtpReply(code, enhanced, text);
    }

    private static String abbreviate(String line) {
        return line.length() > 80 ? line.substring(0, 80) + "..." : line;
    }
}
