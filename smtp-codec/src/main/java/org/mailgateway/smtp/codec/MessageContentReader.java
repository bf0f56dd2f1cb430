package org.mailgateway.smtp.codec;

import io.vertx.core.buffer.Buffer;

/**
 * Server side of DATA (RFC 5321 section 4.1.1.4 and 4.5.2): reads the bytes after {@code 354} until the
 * end-of-data sequence, removes dot-stuffing and keeps everything else exactly as sent.
 *
 * <p>Defences against SMTP smuggling (the CVE-2023-51764 class): end of data is recognised only as
 * {@code CRLF . CRLF} (a {@code .} line that follows a bare LF or bare CR is content, not an end), and any
 * bare LF or bare CR is reported through {@link #sawBareLineBreak()} so the caller can refuse the message.
 * Content past {@code maxSize} is counted but not kept ({@link #tooBig()}); reading goes on until the real
 * end of data so that the rest of the message is never mistaken for commands.
 */
public final class MessageContentReader {

    private enum State {
        LINE_START, DOT_AT_LINE_START, DOT_CR, IN_LINE, CR_SEEN
    }

    private final long maxSize;
    private final Buffer content;
    private State state = State.LINE_START;
    private long size;
    private boolean bareLineBreak;
    private boolean tooBig;
    private boolean pendingDotCr;
    private int lineOctets;
    private int longestLine;

    public MessageContentReader(long maxSize) {
        this.maxSize = maxSize;
        this.content = Buffer.buffer((int) Math.min(maxSize, 16 * 1024));
    }

    /**
     * Consumes bytes from {@code input} starting at {@code from}.
     *
     * @return the index just after the end-of-data sequence, or -1 when all of the input was content
     */
    public int feed(Buffer input, int from) {
        ByteView view = ByteView.of(input);
        byte[] bytes = view.array();
        int base = view.offset();
        int end = view.length();
        int segment = from;
        for (int i = from; i < end; i++) {
            byte b = bytes[base + i];
            lineOctets++;
            switch (state) {
                case LINE_START -> {
                    if (b == '.') {
                        append(input, segment, i);
                        segment = i + 1;
                        state = State.DOT_AT_LINE_START;
                    } else {
                        state = afterOrdinary(b);
                    }
                }
                case DOT_AT_LINE_START -> {
                    if (b == '\r') {
                        state = State.DOT_CR;
                    } else {
                        state = afterOrdinary(b);
                    }
                }
                case DOT_CR -> {
                    boolean crHeldBack = pendingDotCr;
                    pendingDotCr = false;
                    if (b == '\n') {
                        // ".\r\n" after CRLF: the end. Neither the dot nor this CRLF belongs to the content.
                        append(input, segment, Math.max(segment, i - 1));
                        state = State.LINE_START;
                        return i + 1;
                    }
                    if (crHeldBack) {
                        appendByte((byte) '\r');
                    }
                    bareLineBreak = true;
                    state = b == '\r' ? State.CR_SEEN : State.IN_LINE;
                }
                case IN_LINE -> {
                    if (b != '\r' && b != '\n') {
                        // the common case: the rest of an ordinary line, skipped in one tight loop
                        int next = view.indexOfLineBreak(i + 1);
                        if (next < 0) {
                            next = end;
                        }
                        lineOctets += next - i - 1;
                        i = next - 1;
                    } else {
                        state = afterOrdinary(b);
                    }
                }
                case CR_SEEN -> {
                    if (b == '\n') {
                        longestLine = Math.max(longestLine, lineOctets);
                        lineOctets = 0;
                        state = State.LINE_START;
                    } else {
                        bareLineBreak = true;
                        state = b == '\r' ? State.CR_SEEN : State.IN_LINE;
                    }
                }
                default -> throw new IllegalStateException();
            }
        }
        if (state == State.DOT_CR && segment < end) {
            // ".\r" at the end of this chunk: keep the CR back until we know whether an LF follows
            append(input, segment, end - 1);
            pendingDotCr = true;
        } else {
            append(input, segment, end);
        }
        return -1;
    }

    private State afterOrdinary(byte b) {
        if (b == '\r') {
            return State.CR_SEEN;
        }
        if (b == '\n') {
            // a bare LF does not start a new line: "\n.\r\n" must never end the message
            bareLineBreak = true;
        }
        return State.IN_LINE;
    }

    private void append(Buffer input, int from, int to) {
        if (to <= from) {
            return;
        }
        size += to - from;
        if (size > maxSize) {
            tooBig = true;
        } else {
            content.appendBuffer(input, from, to - from);
        }
    }

    private void appendByte(byte b) {
        size++;
        if (size > maxSize) {
            tooBig = true;
        } else {
            content.appendByte(b);
        }
    }

    /** The message as the client meant it: dot-stuffing removed, the final CRLF before the dot kept. */
    public Buffer content() {
        return content;
    }

    /** Octets of content seen, including those beyond the size limit. */
    public long size() {
        return size;
    }

    public boolean tooBig() {
        return tooBig;
    }

    /**
     * The longest content line in octets as it came over the wire (dot-stuffing and CRLF included), the
     * quantity RFC 5321 section 4.5.3.1.6 limits to 1000.
     */
    public int longestLine() {
        return Math.max(longestLine, lineOctets);
    }

    public boolean sawBareLineBreak() {
        return bareLineBreak;
    }
}
