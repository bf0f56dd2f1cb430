package org.mailgateway.smtp.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MessageContentReaderTest {

    /** What the client sends after 354, what the message is, whether a bare CR/LF was seen, what follows. */
    static Stream<Arguments> dialogues() {
        return Stream.of(
                Arguments.of("Subject: a\r\n\r\nbody\r\n.\r\n", "Subject: a\r\n\r\nbody\r\n", false, ""),
                Arguments.of(".\r\n", "", false, ""),
                Arguments.of("..leading dot\r\n.\r\n", ".leading dot\r\n", false, ""),
                Arguments.of("...\r\n.\r\n", "..\r\n", false, ""),
                Arguments.of("a\r\n.\r\nQUIT\r\n", "a\r\n", false, "QUIT\r\n"),
                Arguments.of("a.\r\n.b\r\n.\r\n", "a.\r\nb\r\n", false, ""),
                // smuggling: a bare LF before the dot is content, the real end comes later
                Arguments.of("a\n.\r\nMAIL FROM:<x@evil>\r\n.\r\n", "a\n.\r\nMAIL FROM:<x@evil>\r\n", true, ""),
                Arguments.of("a\r\n.\nMAIL FROM:<x@evil>\r\n.\r\n", "a\r\n\nMAIL FROM:<x@evil>\r\n", true, ""),
                Arguments.of("a\r.\r\nrest\r\n.\r\n", "a\r.\r\nrest\r\n", true, ""),
                Arguments.of("a\r\n.\rX\r\n.\r\n", "a\r\n\rX\r\n", true, ""),
                Arguments.of("bare\rcr\r\n.\r\n", "bare\rcr\r\n", true, ""),
                Arguments.of("8bit \u00e9\r\n.\r\n", "8bit \u00e9\r\n", false, ""));
    }

    @ParameterizedTest
    @MethodSource("dialogues")
    void readsInOneChunk(String wire, String content, boolean bare, String after) {
        Buffer input = latin1(wire);
        MessageContentReader reader = new MessageContentReader(1_000_000);

        int end = reader.feed(input, 0);

        assertTrue(end > 0, "end of data not found");
        assertEquals(content, reader.content().toString(StandardCharsets.ISO_8859_1));
        assertEquals(bare, reader.sawBareLineBreak());
        assertEquals(after, input.getString(end, input.length(), "ISO-8859-1"));
    }

    @ParameterizedTest
    @MethodSource("dialogues")
    void readsTheSameWhateverTheSegmentation(String wire, String content, boolean bare, String after) {
        Random random = new Random(wire.hashCode());
        for (int round = 0; round < 50; round++) {
            Buffer input = latin1(wire);
            MessageContentReader reader = new MessageContentReader(1_000_000);
            int pos = 0;
            int end = -1;
            while (end < 0) {
                int chunkEnd = round == 0 ? pos + 1 : Math.min(input.length(), pos + 1 + random.nextInt(4));
                Buffer chunk = input.getBuffer(0, chunkEnd);
                end = reader.feed(chunk, pos);
                pos = chunkEnd;
            }
            assertEquals(content, reader.content().toString(StandardCharsets.ISO_8859_1), "round " + round);
            assertEquals(bare, reader.sawBareLineBreak());
            assertEquals(wire.length() - after.length(), end);
        }
    }

    @Test
    void unfinishedContentIsNotAnEnd() {
        MessageContentReader reader = new MessageContentReader(1000);

        assertEquals(-1, reader.feed(latin1("line\r\n.\r"), 0));
        assertEquals("line\r\n", reader.content().toString(StandardCharsets.ISO_8859_1));
    }

    @Test
    void contentOverTheLimitIsCountedNotKeptAndTheEndIsStillFound() {
        MessageContentReader reader = new MessageContentReader(10);
        Buffer input = latin1("0123456789abcdef\r\n.\r\nNOOP\r\n");

        int end = reader.feed(input, 0);

        assertTrue(reader.tooBig());
        assertEquals(18, reader.size());
        assertEquals("NOOP\r\n", input.getString(end, input.length()));
    }

    @Test
    void contentAtTheLimitIsKept() {
        MessageContentReader reader = new MessageContentReader(6);

        reader.feed(latin1("abcd\r\n.\r\n"), 0);

        assertFalse(reader.tooBig());
        assertEquals("abcd\r\n", reader.content().toString());
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({
        "998, 1000",
        "999, 1001",
        "10, 12",
    })
    void measuresTheLongestLineAsSentOnTheWire(int textOctets, int expected) {
        MessageContentReader reader = new MessageContentReader(1_000_000);
        String wire = "short\r\n" + "x".repeat(textOctets) + "\r\nend\r\n.\r\n";

        reader.feed(latin1(wire), 0);

        assertEquals(expected, reader.longestLine());
    }

    @ParameterizedTest
    @MethodSource("dialogues")
    void readsTheSameFromASliceOfALargerArrayAndFromADirectBuffer(String wire, String content, boolean bare, String after) {
        byte[] bytes = wire.getBytes(StandardCharsets.ISO_8859_1);
        byte[] padded = new byte[bytes.length + 6];
        Arrays.fill(padded, (byte) '\n');
        System.arraycopy(bytes, 0, padded, 3, bytes.length);
        Buffer slice = Buffer.buffer(Unpooled.wrappedBuffer(padded, 3, bytes.length));
        Buffer direct = Buffer.buffer(Unpooled.directBuffer().writeBytes(bytes));
        for (Buffer input : List.of(slice, direct)) {
            MessageContentReader reader = new MessageContentReader(1_000_000);

            int end = reader.feed(input, 0);

            assertEquals(content, reader.content().toString(StandardCharsets.ISO_8859_1));
            assertEquals(bare, reader.sawBareLineBreak());
            assertEquals(bytes.length - after.length(), end);
        }
    }

    @Test
    void aLongMessageInSocketSizedChunksKeepsEveryByteAndItsLongestLine() {
        StringBuilder message = new StringBuilder();
        Random random = new Random(11);
        for (int line = 0; line < 2000; line++) {
            int length = random.nextInt(line == 1234 ? 990 : 200);
            for (int i = 0; i < length; i++) {
                message.append((char) ('a' + random.nextInt(26)));
            }
            message.append(line % 97 == 0 ? ".\r\n" : "\r\n");
        }
        String original = message.append(".last line, dot-stuffed on the wire\r\n").toString();
        Buffer wire = DotStuffer.encode(latin1(original));
        MessageContentReader reader = new MessageContentReader(10_000_000);
        int end = -1;
        for (int pos = 0; end < 0; pos += 8192) {
            end = reader.feed(wire.getBuffer(0, Math.min(wire.length(), pos + 8192)), pos);
        }

        assertEquals(wire.length(), end);
        assertEquals(original, reader.content().toString(StandardCharsets.ISO_8859_1));
        int longest = Arrays.stream(wire.toString(StandardCharsets.ISO_8859_1).split("\n")).mapToInt(l -> l.length() + 1).max().orElseThrow();
        assertEquals(longest, reader.longestLine());
        assertFalse(reader.sawBareLineBreak());
    }

    @Test
    void dotStuffingRoundTrips() {
        Random random = new Random(7);
        String[] pieces = {".", "..", "a", "\r\n", ".\r\n", " ", "\u00e9", "From ", "\r\n.", "x\r\n"};
        for (int round = 0; round < 2000; round++) {
            StringBuilder message = new StringBuilder();
            int n = random.nextInt(12);
            for (int i = 0; i < n; i++) {
                message.append(pieces[random.nextInt(pieces.length)]);
            }
            if (message.length() > 0 && !message.toString().endsWith("\r\n")) {
                message.append("\r\n");
            }
            String original = message.toString().replaceAll("\r(?!\n)", "").replaceAll("(?<!\r)\n", "");
            Buffer wire = DotStuffer.encode(latin1(original));
            MessageContentReader reader = new MessageContentReader(1_000_000);

            assertEquals(wire.length(), reader.feed(wire, 0), "whole wire form consumed for " + original);
            assertEquals(original, reader.content().toString(StandardCharsets.ISO_8859_1));
            assertFalse(reader.sawBareLineBreak());
        }
    }

    private static Buffer latin1(String s) {
        return Buffer.buffer(s.getBytes(StandardCharsets.ISO_8859_1));
    }
}
