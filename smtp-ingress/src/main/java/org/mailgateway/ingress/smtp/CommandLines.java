package org.mailgateway.ingress.smtp;

import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Decodes a command line: ASCII as is, anything else only if it is valid UTF-8 (RFC 6531). */
final class CommandLines {

    private CommandLines() {
    }

    /** @return the line, or null when it holds bytes that are not valid UTF-8 */
    static String decode(Buffer input, int from, int to) {
        boolean ascii = true;
        for (int i = from; i < to && ascii; i++) {
            ascii = input.getByte(i) >= 0;
        }
        if (ascii) {
            return input.getString(from, to, StandardCharsets.US_ASCII.name());
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(input.getBytes(from, to)))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
