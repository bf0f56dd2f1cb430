package org.mailgateway.admin.console;

import io.quarkus.qute.TemplateExtension;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Formatting for the console's templates: {@code {fmt:time(m.receivedAt)}}, {@code {fmt:url(value)}}, ... */
@TemplateExtension(namespace = "fmt")
public final class Format {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    private Format() {
    }

    /** {@code 2026-11-28 10:15:02 UTC}; a dash for none. */
    static String time(Instant instant) {
        return instant == null ? "—" : TIME.format(instant);
    }

    /** A score with one decimal. */
    static String score(double score) {
        return String.format(Locale.ROOT, "%.1f", score);
    }

    /** A value for a query string. */
    static String url(String value) {
        return value == null ? "" : URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** {@code <>} for the null sender. */
    static String sender(String mailFrom) {
        return mailFrom == null || mailFrom.isEmpty() ? "<>" : mailFrom;
    }
}
