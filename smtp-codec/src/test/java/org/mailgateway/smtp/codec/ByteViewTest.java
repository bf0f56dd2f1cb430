package org.mailgateway.smtp.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ByteViewTest {

    @Test
    void aHeapBufferIsViewedWithoutACopy() {
        byte[] bytes = "hello".getBytes(StandardCharsets.US_ASCII);
        ByteView view = ByteView.of(Buffer.buffer(Unpooled.wrappedBuffer(bytes)));

        assertSame(bytes, view.array());
        assertEquals(0, view.offset());
        assertEquals(5, view.length());
    }

    @Test
    void aSliceOfALargerArrayIsViewedAtItsOffset() {
        byte[] bytes = "\u00e9\u00e9abc\u00e9".getBytes(StandardCharsets.ISO_8859_1);
        ByteView view = ByteView.of(Buffer.buffer(Unpooled.wrappedBuffer(bytes, 2, 3)));

        assertEquals("abc", new String(view.array(), view.offset(), view.length(), StandardCharsets.ISO_8859_1));
        assertFalse(view.hasEightBitBytes(), "the 8-bit bytes around the slice are not part of it");
    }

    @Test
    void aDirectBufferIsCopied() {
        byte[] bytes = "direct \u00e9".getBytes(StandardCharsets.ISO_8859_1);
        ByteView view = ByteView.of(Buffer.buffer(Unpooled.directBuffer().writeBytes(bytes)));

        assertArrayEquals(bytes, Arrays.copyOfRange(view.array(), view.offset(), view.offset() + view.length()));
        assertTrue(view.hasEightBitBytes());
    }

    @Test
    void eightBitBytesAreFoundAnywhere() {
        byte[] bytes = new byte[70_000];
        Arrays.fill(bytes, (byte) 'a');
        assertFalse(ByteView.of(Buffer.buffer(bytes)).hasEightBitBytes());
        for (int at : new int[] {0, 1, 35_000, 69_999}) {
            byte[] copy = bytes.clone();
            copy[at] = (byte) 0x80;
            assertTrue(ByteView.of(Buffer.buffer(copy)).hasEightBitBytes(), "at " + at);
        }
    }

    /** The word-at-a-time searches against plain loops, at every alignment and around every kind of byte. */
    @Test
    void searchesFindWhatAByteByByteLoopFinds() {
        byte[] alphabet = {'a', '.', '\r', '\n', 0x01, 0x0b, 0x0c, 0x0e, 0x2d, 0x2f, 0x7f, (byte) 0x80, (byte) 0x8a, (byte) 0xff, 0};
        Random random = new Random(5321);
        for (int round = 0; round < 20_000; round++) {
            int length = random.nextInt(40);
            int offset = random.nextInt(9);
            byte[] array = new byte[offset + length + random.nextInt(9)];
            for (int i = 0; i < array.length; i++) {
                // mostly one filler byte, so that matches are sometimes far apart
                array[i] = random.nextInt(4) == 0 ? alphabet[random.nextInt(alphabet.length)] : (byte) 'a';
            }
            ByteView view = new ByteView(array, offset, length);
            int from = length == 0 ? 0 : random.nextInt(length + 1);
            String what = Arrays.toString(Arrays.copyOfRange(array, offset, offset + length)) + " from " + from;

            for (byte target : new byte[] {'\n', '.', (byte) 0xff, 0}) {
                int expected = -1;
                for (int i = from; i < length && expected < 0; i++) {
                    expected = array[offset + i] == target ? i : -1;
                }
                assertEquals(expected, view.indexOf(target, from), "indexOf " + target + " in " + what);
            }
            int lineBreak = -1;
            for (int i = from; i < length && lineBreak < 0; i++) {
                lineBreak = array[offset + i] == '\r' || array[offset + i] == '\n' ? i : -1;
            }
            assertEquals(lineBreak, view.indexOfLineBreak(from), "indexOfLineBreak in " + what);
            boolean eightBit = false;
            for (int i = 0; i < length; i++) {
                eightBit |= array[offset + i] < 0;
            }
            assertEquals(eightBit, view.hasEightBitBytes(), "hasEightBitBytes of " + what);
        }
    }
}
