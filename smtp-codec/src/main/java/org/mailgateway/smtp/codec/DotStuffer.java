package org.mailgateway.smtp.codec;

import io.vertx.core.buffer.Buffer;

/**
 * Client side of DATA: the wire form of a message (RFC 5321 section 4.5.2). Every line that starts with
 * {@code .} gets one more, and {@code .CRLF} ends it. A message that does not end with CRLF gets one, as
 * the protocol cannot carry it otherwise (content from our own ingress always ends with CRLF).
 */
public final class DotStuffer {

    private DotStuffer() {
    }

    public static Buffer encode(Buffer content) {
        int length = content.length();
        Buffer out = Buffer.buffer(length + length / 64 + 8);
        ByteView view = ByteView.of(content);
        byte[] bytes = view.array();
        int base = view.offset();
        int segment = 0;
        int lineStart = 0; // a line starts at 0 and after every LF, bare or not
        while (lineStart < length) {
            if (bytes[base + lineStart] == '.') {
                out.appendBuffer(content, segment, lineStart - segment).appendByte((byte) '.');
                segment = lineStart;
            }
            int lf = view.indexOf((byte) '\n', lineStart);
            if (lf < 0) {
                break;
            }
            lineStart = lf + 1;
        }
        out.appendBuffer(content, segment, length - segment);
        if (length > 0 && !(length >= 2 && content.getByte(length - 2) == '\r' && content.getByte(length - 1) == '\n')) {
            out.appendString("\r\n");
        }
        return out.appendString(".\r\n");
    }
}
