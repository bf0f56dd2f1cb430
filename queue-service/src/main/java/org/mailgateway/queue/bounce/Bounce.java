package org.mailgateway.queue.bounce;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mailgateway.contracts.Envelope;

/**
 * Decides whether a failed delivery is reported back to its sender, and writes the report: an RFC 3464
 * delivery status notification (a {@code multipart/report}, RFC 6522) from the null sender.
 *
 * <p>Only mail whose sender the gateway can trust gets one: the client authenticated or came from a trusted
 * network. Mail from the internet with a failed recipient gets no report, since its sender address may be forged
 * and the report would land on an innocent (backscatter); the failure stays recorded and visible. A null sender
 * never gets one (no reports about reports), nor a recipient whose DSN {@code NOTIFY} excludes {@code FAILURE}.
 */
public final class Bounce {

    /** One recipient that will not get the message. */
    public record Failure(String recipient, String reply, String remote, boolean expired) {
    }

    /** A report ready to be queued: its recipient (the original sender) and its bytes. */
    public record Report(String to, byte[] content) {
    }

    private static final DateTimeFormatter DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
    private static final Pattern ENHANCED = Pattern.compile("^\\d{3}[ -]([245]\\.\\d{1,3}\\.\\d{1,3})\\b");
    private static final int MAX_LINE = 900;

    private Bounce() {
    }

    /** Whether the sender of this envelope may be sent a report about {@code recipient}. */
    public static boolean wanted(Envelope envelope, String recipient) {
        if (envelope.mailFrom().isEmpty() || !(envelope.authenticated() || envelope.trusted())) {
            return false;
        }
        return notifyOn(envelope, recipient).map(n -> n.toUpperCase(Locale.ROOT).contains("FAILURE")).orElse(true);
    }

    private static Optional<String> notifyOn(Envelope envelope, String recipient) {
        if (envelope.dsn() == null) {
            return Optional.empty();
        }
        return envelope.dsn().recipients().stream().filter(r -> r.recipient().equalsIgnoreCase(recipient))
                .map(Envelope.Dsn.Recipient::notifyOn).filter(n -> n != null).findFirst();
    }

    private static Optional<String> orcpt(Envelope envelope, String recipient) {
        if (envelope.dsn() == null) {
            return Optional.empty();
        }
        return envelope.dsn().recipients().stream().filter(r -> r.recipient().equalsIgnoreCase(recipient))
                .map(Envelope.Dsn.Recipient::orcpt).filter(o -> o != null).findFirst();
    }

    /**
     * The report for these failed recipients of one message. The original comes back whole only when the sender
     * asked for it ({@code RET=FULL}); otherwise its header section does. With {@code original} null (the store no
     * longer has it) the report has no third part, and its text says so.
     */
    public static Report report(Envelope envelope, byte[] original, List<Failure> failures, String reportingHost,
            String reportId, Instant now) {
        String boundary = "=_report_" + reportId;
        boolean full = envelope.dsn() != null && "FULL".equalsIgnoreCase(envelope.dsn().ret());
        StringBuilder head = new StringBuilder();
        line(head, "From: Mail Delivery System <MAILER-DAEMON@" + reportingHost + ">");
        line(head, "To: <" + envelope.mailFrom() + ">");
        line(head, "Subject: Undelivered mail returned to sender");
        line(head, "Date: " + DATE.format(now));
        line(head, "Message-ID: <" + reportId + "@" + reportingHost + ">");
        line(head, "Auto-Submitted: auto-replied");
        line(head, "MIME-Version: 1.0");
        line(head, "Content-Type: multipart/report; report-type=delivery-status;");
        line(head, "\tboundary=\"" + boundary + "\"");
        line(head, "");
        line(head, "This is a MIME-encapsulated delivery status notification.");
        line(head, "");
        line(head, "--" + boundary);
        line(head, "Content-Type: text/plain; charset=utf-8");
        line(head, "Content-Transfer-Encoding: 8bit");
        line(head, "");
        line(head, "This is the mail gateway at " + reportingHost + ".");
        line(head, "");
        line(head, "Your message " + envelope.messageId() + " of " + DATE.format(envelope.receivedAt())
                + " could not be delivered to");
        line(head, "the following recipient(s). The reason is given after each address.");
        line(head, "");
        for (Failure failure : failures) {
            line(head, "<" + failure.recipient() + ">: " + clip(failure.expired()
                    ? "gave up after the queue lifetime; last error: " + failure.reply() : failure.reply()));
        }
        if (original == null) {
            line(head, "");
            line(head, "The gateway no longer has the message's content, so it cannot be returned with this report.");
        }
        line(head, "");
        line(head, "--" + boundary);
        line(head, "Content-Type: message/delivery-status");
        line(head, "");
        line(head, "Reporting-MTA: dns; " + reportingHost);
        if (envelope.dsn() != null && envelope.dsn().envid() != null) {
            line(head, "Original-Envelope-Id: " + envelope.dsn().envid());
        }
        line(head, "Arrival-Date: " + DATE.format(envelope.receivedAt()));
        for (Failure failure : failures) {
            line(head, "");
            orcpt(envelope, failure.recipient()).ifPresent(o -> line(head, "Original-Recipient: " + o));
            line(head, "Final-Recipient: rfc822; " + failure.recipient());
            line(head, "Action: failed");
            line(head, "Status: " + status(failure));
            if (failure.remote() != null) {
                line(head, "Remote-MTA: dns; " + failure.remote());
            }
            line(head, "Diagnostic-Code: smtp; " + clip(failure.reply()));
            line(head, "Last-Attempt-Date: " + DATE.format(now));
        }
        line(head, "");
        if (original == null) {
            byte[] report = (head + "--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
            return new Report(envelope.mailFrom(), report);
        }
        line(head, "--" + boundary);
        line(head, full ? "Content-Type: message/rfc822" : "Content-Type: text/rfc822-headers");
        if (hasEightBit(original)) {
            line(head, "Content-Transfer-Encoding: 8bit");
        }
        line(head, "");
        ByteArrayOutputStream out = new ByteArrayOutputStream(head.length() + original.length + 64);
        out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
        byte[] returned = full ? original : headerSection(original);
        out.writeBytes(returned);
        if (returned.length > 0 && returned[returned.length - 1] != '\n') {
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return new Report(envelope.mailFrom(), out.toByteArray());
    }

    /** The enhanced status code of the reply (RFC 3463), or the closest class when it has none. */
    static String status(Failure failure) {
        Matcher m = ENHANCED.matcher(failure.reply());
        if (m.find()) {
            return m.group(1);
        }
        if (failure.expired()) {
            return "4.4.7";
        }
        return failure.reply().startsWith("5") ? "5.0.0" : "4.0.0";
    }

    /** The original's header section up to and including the empty line, or the whole of it when it has none. */
    private static byte[] headerSection(byte[] message) {
        for (int i = 0; i + 1 < message.length; i++) {
            if (message[i] == '\n' && (message[i + 1] == '\n' || (message[i + 1] == '\r' && i + 2 < message.length
                    && message[i + 2] == '\n'))) {
                return java.util.Arrays.copyOf(message, i + 1);
            }
        }
        return message;
    }

    private static boolean hasEightBit(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return true;
            }
        }
        return false;
    }

    /** Reply texts can be long or carry line breaks: one line, bounded, so the report keeps RFC 5322's limit. */
    private static String clip(String text) {
        String one = text.replaceAll("[\\r\\n]+", " ");
        return one.length() > MAX_LINE ? one.substring(0, MAX_LINE) + "..." : one;
    }

    private static void line(StringBuilder out, String text) {
        out.append(text).append("\r\n");
    }
}
