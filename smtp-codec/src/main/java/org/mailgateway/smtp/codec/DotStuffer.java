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
        boolean lineStart = true;
        for (int i = 0; i < length; i++) {
            byte b = bytes[base + i];
            if (lineStart && b == '.') {
                out.appendBuffer(content, segment, i - segment).appendByte((byte) '.');
                segment = i;
            }
            lineStart = b == '\n';
        }
        out.appendBuffer(content, segment, length - segment);
        if (length > 0 && !(length >= 2 && content.getByte(length - 2) == '\r' && content.getByte(length - 1) == '\n')) {
            out.appendString("\r\n");
        }
        return out.appendString(".\r\n");
    }
}
