package org.mailgateway.smtp.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplyParserTest {

    @Test
    void multiLineReplyWithoutEnhancedCodes() {
        List<SmtpReply> replies = new ReplyParser().feed(Buffer.buffer("250-sink.example\r\n250-PIPELINING\r\n250 8BITMIME\r\n"));

        assertEquals(List.of(new SmtpReply(250, null, List.of("sink.example", "PIPELINING", "8BITMIME"))), replies);
    }

    @Test
    void enhancedCodeIsSeparated() {
        List<SmtpReply> replies = new ReplyParser().feed(Buffer.buffer("451 4.3.0 Try again later\r\n"));

        assertEquals(List.of(SmtpReply.of(451, "4.3.0", "Try again later")), replies);
    }

    @Test
    void repliesSplitAcrossSegmentsAndPipelinedTogether() {
        ReplyParser parser = new ReplyParser();
        List<SmtpReply> replies = new ArrayList<>();
        for (String part : List.of("25", "0 2.1.0 Ok\r\n250 2.1", ".5 Ok\r", "\n354 End data with <CR><LF>.<CR><LF>\r\n")) {
            replies.addAll(parser.feed(Buffer.buffer(part)));
        }

        assertEquals(List.of(SmtpReply.of(250, "2.1.0", "Ok"), SmtpReply.of(250, "2.1.5", "Ok"),
                SmtpReply.of(354, null, "End data with <CR><LF>.<CR><LF>")), replies);
    }

    @Test
    void encodeAndParseAreInverse() {
        SmtpReply reply = new SmtpReply(550, "5.7.1", List.of("first", "second"));

        assertEquals(List.of(reply), new ReplyParser().feed(reply.encode()));
        assertEquals("550-5.7.1 first\r\n550 5.7.1 second\r\n", reply.encode().toString());
    }

    @Test
    void garbageIsAProtocolError() {
        assertThrows(SmtpProtocolException.class, () -> new ReplyParser().feed(Buffer.buffer("HTTP/1.1 400 Bad\r\n")));
        assertThrows(SmtpProtocolException.class, () -> new ReplyParser().feed(Buffer.buffer("250-a\r\n251 b\r\n")));
        assertThrows(SmtpProtocolException.class, () -> new ReplyParser().feed(Buffer.buffer("x".repeat(5000))));
    }
}
