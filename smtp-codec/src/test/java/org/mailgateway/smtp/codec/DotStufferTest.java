package org.mailgateway.smtp.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DotStufferTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''                            | '.\\r\\n'",
        "'a\\r\\n'                      | 'a\\r\\n.\\r\\n'",
        "'.\\r\\n'                      | '..\\r\\n.\\r\\n'",
        "'a\\r\\n.b\\r\\n..c\\r\\n'       | 'a\\r\\n..b\\r\\n...c\\r\\n.\\r\\n'",
        "'a.b\\r\\n'                    | 'a.b\\r\\n.\\r\\n'",
        "'no line break at the end'     | 'no line break at the end\\r\\n.\\r\\n'",
        // after a bare LF a line starts too: the stuffing keeps a receiver from seeing an end there
        "'a\\n.\\r\\n'                  | 'a\\n..\\r\\n.\\r\\n'",
    })
    void wireForm(String content, String wire) {
        assertEquals(unescape(wire), DotStuffer.encode(latin1(unescape(content))).toString(StandardCharsets.ISO_8859_1));
    }

    /** Long random messages, many lines starting with dots, against a byte-by-byte reference. */
    @ParameterizedTest
    @CsvSource({"1", "2", "3", "4", "5"})
    void longMessagesMatchAByteByByteReference(long seed) {
        Random random = new Random(seed);
        StringBuilder content = new StringBuilder();
        while (content.length() < 70_000) {
            int kind = random.nextInt(10);
            content.append(kind == 0 ? "." : kind == 1 ? ".." : kind == 2 ? "\n." : "");
            int length = random.nextInt(kind == 3 ? 1000 : 90);
            for (int i = 0; i < length; i++) {
                content.append(random.nextInt(30) == 0 ? '.' : (char) ('a' + random.nextInt(26)));
            }
            content.append("\r\n");
        }
        String text = content.toString();

        assertEquals(reference(text), DotStuffer.encode(latin1(text)).toString(StandardCharsets.ISO_8859_1));
    }

    private static String reference(String content) {
        StringBuilder out = new StringBuilder();
        boolean lineStart = true;
        for (char c : content.toCharArray()) {
            if (lineStart && c == '.') {
                out.append('.');
            }
            out.append(c);
            lineStart = c == '\n';
        }
        if (!content.isEmpty() && !content.endsWith("\r\n")) {
            out.append("\r\n");
        }
        return out.append(".\r\n").toString();
    }

    private static String unescape(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n");
    }

    private static Buffer latin1(String s) {
        return Buffer.buffer(s.getBytes(StandardCharsets.ISO_8859_1));
    }
}
