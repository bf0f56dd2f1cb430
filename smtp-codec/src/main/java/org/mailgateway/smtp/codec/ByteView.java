package org.mailgateway.smtp.codec;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;

/**
 * The bytes of a {@link Buffer} as a slice of an array, for the loops that look at every byte of a message.
 * {@code Buffer.getByte} checks bounds and the reference count on each call, which made those loops the top
 * items of the 64 KiB profiles; an array index costs nothing. The array is the buffer's own when it lives on
 * the heap (the case for everything Vert.x reads from a socket), else a copy.
 *
 * @param array  the bytes; only {@code array[offset .. offset + length)} belongs to the buffer
 * @param offset where the buffer's first byte is in {@code array}
 * @param length the buffer's length
 */
public record ByteView(byte[] array, int offset, int length) {

    public static ByteView of(Buffer buffer) {
        ByteBuf bytes = buffer.getByteBuf();
        if (bytes.hasArray()) {
            return new ByteView(bytes.array(), bytes.arrayOffset() + bytes.readerIndex(), bytes.readableBytes());
        }
        byte[] copy = buffer.getBytes();
        return new ByteView(copy, 0, copy.length);
    }

    /** True when any byte has its high bit set (the content is not 7-bit). */
    public boolean hasEightBitBytes() {
        for (int i = offset, end = offset + length; i < end; i++) {
            if (array[i] < 0) {
                return true;
            }
        }
        return false;
    }
}
