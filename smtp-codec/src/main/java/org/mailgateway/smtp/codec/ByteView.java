package org.mailgateway.smtp.codec;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The bytes of a {@link Buffer} as a slice of an array, for the loops that look at every byte of a message.
 * {@code Buffer.getByte} checks bounds and the reference count on each call, which made those loops the top
 * items of the 64 KiB profiles; an array index costs nothing. The array is the buffer's own when it lives on
 * the heap (the case for everything Vert.x reads from a socket), else a copy.
 *
 * <p>The searches read eight bytes at a time as one {@code long} (little-endian, so the lowest byte is the first
 * one) and test all eight with a few arithmetic operations, the classic "does this word have a zero byte" test:
 * for {@code x = word ^ (target * 0x01..01)}, {@code (x - 0x01..01) & ~x & 0x80..80} has its lowest set bit in
 * the first byte equal to {@code target} (higher bits may be false hits after a borrow; only the lowest is read).
 * A byte-by-byte loop was the top item of queue-service's 64 KiB profile (dot-stuffing and the 8-bit check).
 *
 * @param array  the bytes; only {@code array[offset .. offset + length)} belongs to the buffer
 * @param offset where the buffer's first byte is in {@code array}
 * @param length the buffer's length
 */
public record ByteView(byte[] array, int offset, int length) {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final long CRS = ONES * '\r';
    private static final long LFS = ONES * '\n';

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
        int i = offset;
        int end = offset + length;
        for (; i + Long.BYTES <= end; i += Long.BYTES) {
            if (((long) LONGS.get(array, i) & HIGH_BITS) != 0) {
                return true;
            }
        }
        for (; i < end; i++) {
            if (array[i] < 0) {
                return true;
            }
        }
        return false;
    }

    /** The index (in this view, from 0) of the first {@code target} at or after {@code from}, or -1. */
    public int indexOf(byte target, int from) {
        long pattern = ONES * (target & 0xff);
        int i = offset + from;
        int end = offset + length;
        for (; i + Long.BYTES <= end; i += Long.BYTES) {
            long found = zeroBytes((long) LONGS.get(array, i) ^ pattern);
            if (found != 0) {
                return i - offset + (Long.numberOfTrailingZeros(found) >>> 3);
            }
        }
        for (; i < end; i++) {
            if (array[i] == target) {
                return i - offset;
            }
        }
        return -1;
    }

    /** The index (in this view, from 0) of the first CR or LF at or after {@code from}, or -1. */
    public int indexOfLineBreak(int from) {
        int i = offset + from;
        int end = offset + length;
        for (; i + Long.BYTES <= end; i += Long.BYTES) {
            long word = (long) LONGS.get(array, i);
            long found = zeroBytes(word ^ CRS) | zeroBytes(word ^ LFS);
            if (found != 0) {
                return i - offset + (Long.numberOfTrailingZeros(found) >>> 3);
            }
        }
        for (; i < end; i++) {
            if (array[i] == '\r' || array[i] == '\n') {
                return i - offset;
            }
        }
        return -1;
    }

    /** High bit set in each byte of {@code x} that is zero; exact for the lowest such byte. */
    private static long zeroBytes(long x) {
        return (x - ONES) & ~x & HIGH_BITS;
    }
}
