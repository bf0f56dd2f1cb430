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
}
