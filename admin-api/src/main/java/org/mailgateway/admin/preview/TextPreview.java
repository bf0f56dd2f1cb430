package org.mailgateway.admin.preview;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.dom.Body;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.dom.SingleBody;
import org.apache.james.mime4j.dom.TextBody;
import org.apache.james.mime4j.message.BasicBodyFactory;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
import org.apache.james.mime4j.stream.MimeConfig;

/**
 * A safe look into a message: its MIME parts as a list, the text parts decoded (transfer encoding and charset) and
 * HTML turned into plain text (tags dropped, scripts and styles with their content, entities of the common kind
 * decoded). Nothing is rendered, fetched or executed; the result is plain text for a JSON string. The text is
 * bounded ({@code maxChars} over all parts), and so is the work: the caller passes at most the first bytes of a
 * large message, parts nested deeper than {@value #MAX_DEPTH} are listed without text.
 */
public final class TextPreview {

    static final int MAX_DEPTH = 10;
    static final int MAX_PARTS = 100;

    /** One MIME part: its type, file name if any, decoded size and text (null for a part that is not text). */
    public record Part(String contentType, String filename, String disposition, long size, String text, boolean textCut) {
    }

    /** The parts, in order; {@code incomplete} when the message was longer than what was read or had too many parts. */
    public record Preview(List<Part> parts, boolean incomplete) {
    }

    private TextPreview() {
    }

    /**
     * @param head      the message, or its first bytes
     * @param truncated true when {@code head} is not the whole message
     * @param maxChars  characters of text over all parts
     */
    public static Preview of(byte[] head, boolean truncated, int maxChars) {
        DefaultMessageBuilder builder = new DefaultMessageBuilder();
        builder.setMimeEntityConfig(MimeConfig.custom().setMaxLineLen(-1).setMaxHeaderLen(-1).setMaxHeaderCount(-1)
                .setStrictParsing(false).build());
        builder.setDecodeMonitor(DecodeMonitor.SILENT);
        builder.setBodyFactory(new BasicBodyFactory(true));
        Message message;
        try {
            message = builder.parseMessage(new ByteArrayInputStream(head));
        } catch (IOException e) {
            return new Preview(List.of(new Part("text/plain", null, null, 0, "(no preview: " + e.getMessage() + ")", false)), true);
        }
        try {
            Walk walk = new Walk(maxChars);
            walk.entity(message, 0);
            return new Preview(List.copyOf(walk.parts), truncated || walk.cut);
        } finally {
            message.dispose();
        }
    }

    private static final class Walk {
        final List<Part> parts = new ArrayList<>();
        int charsLeft;
        boolean cut;

        Walk(int maxChars) {
            this.charsLeft = maxChars;
        }

        void entity(Entity entity, int depth) {
            if (parts.size() >= MAX_PARTS) {
                cut = true;
                return;
            }
            Body body = entity.getBody();
            if (depth < MAX_DEPTH && body instanceof Multipart multipart) {
                for (Entity child : multipart.getBodyParts()) {
                    entity(child, depth + 1);
                }
            } else if (depth < MAX_DEPTH && body instanceof Message nested) {
                entity(nested, depth + 1);
            } else {
                parts.add(part(entity, body));
            }
        }

        Part part(Entity entity, Body body) {
            String type = entity.getMimeType() == null ? "text/plain" : entity.getMimeType().toLowerCase(Locale.ROOT);
            boolean attachment = "attachment".equalsIgnoreCase(entity.getDispositionType());
            long size = body instanceof SingleBody single ? size(single) : 0;
            if (!(body instanceof TextBody text) || attachment || !(type.equals("text/plain") || type.equals("text/html"))) {
                return new Part(type, entity.getFilename(), entity.getDispositionType(), size, null, false);
            }
            String decoded = read(text, charsLeft * 4L + 1024);
            String plain = type.equals("text/html") ? HtmlText.toText(decoded) : decoded;
            boolean partCut = plain.length() > charsLeft;
            if (partCut) {
                plain = plain.substring(0, Math.max(0, charsLeft));
                cut = true;
            }
            charsLeft -= plain.length();
            return new Part(type, entity.getFilename(), entity.getDispositionType(), size, plain, partCut);
        }
    }

    /** At most {@code max} characters of a text body. */
    private static String read(TextBody body, long max) {
        StringBuilder text = new StringBuilder();
        char[] buffer = new char[8192];
        try (Reader reader = body.getReader()) {
            int n;
            while (text.length() < max && (n = reader.read(buffer)) > 0) {
                text.append(buffer, 0, n);
            }
        } catch (IOException e) {
            text.append("\n(the rest could not be decoded: ").append(e.getMessage()).append(')');
        }
        return text.toString();
    }

    private static long size(SingleBody body) {
        try {
            return body.size();
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
