package org.mailgateway.smtp.codec;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The header section of an RFC 5322 message: the lines before the first empty line, folded lines joined.
 * Values are returned as sent (encoded words are not decoded here); bytes outside ASCII are read as UTF-8,
 * which RFC 6532 allows. Reading stops after {@link #MAX_BYTES} so that a message without a body separator
 * costs little.
 */
public final class HeaderSection {

    public static final int MAX_BYTES = 256 * 1024;

    /** One header field. */
    public record Field(String name, String value) {
    }

    private HeaderSection() {
    }

    public static List<Field> parse(byte[] message) {
        int end = Math.min(message.length, MAX_BYTES);
        List<Field> fields = new ArrayList<>();
        StringBuilder current = null;
        int lineStart = 0;
        while (lineStart < end) {
            int lineEnd = lineStart;
            while (lineEnd < end && message[lineEnd] != '\n') {
                lineEnd++;
            }
            int contentEnd = lineEnd > lineStart && message[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
            if (contentEnd == lineStart) {
                break; // the empty line: the body starts here
            }
            String line = new String(message, lineStart, contentEnd - lineStart, StandardCharsets.UTF_8);
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && current != null) {
                current.append(line);
            } else {
                add(fields, current);
                current = new StringBuilder(line);
            }
            lineStart = lineEnd + 1;
        }
        add(fields, current);
        return fields;
    }

    /** The first field with this name (case-insensitive), unfolded and trimmed. */
    public static Optional<String> first(List<Field> fields, String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        return fields.stream().filter(f -> f.name().toLowerCase(Locale.ROOT).equals(wanted)).map(Field::value).findFirst();
    }

    private static void add(List<Field> fields, StringBuilder line) {
        if (line == null) {
            return;
        }
        int colon = line.indexOf(":");
        if (colon <= 0) {
            return; // not a header field (e.g. an mbox "From " line): skipped
        }
        fields.add(new Field(line.substring(0, colon).strip(), line.substring(colon + 1).strip()));
    }
}
