package org.mailgateway.smtp.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HeaderSectionTest {

    @Test
    void foldedFieldsAreJoinedAndTheBodyIsNotRead() {
        byte[] message = ("Received: from a\r\n\tby b; Sat, 28 Nov 2026 10:00:00 +0000\r\nSubject: Hello\r\n  world\r\n"
                + "X-Empty:\r\n\r\nNot-A-Header: body\r\n").getBytes(StandardCharsets.US_ASCII);

        List<HeaderSection.Field> fields = HeaderSection.parse(message);

        assertEquals(List.of(new HeaderSection.Field("Received", "from a\tby b; Sat, 28 Nov 2026 10:00:00 +0000"),
                new HeaderSection.Field("Subject", "Hello  world"), new HeaderSection.Field("X-Empty", "")), fields);
        assertEquals(Optional.of("Hello  world"), HeaderSection.first(fields, "subject"));
        assertEquals(Optional.empty(), HeaderSection.first(fields, "Not-A-Header"));
    }

    @Test
    void bareLineEndingsAndUtf8AreTolerated() {
        byte[] message = "Subject: \u00e9t\u00e9\nFrom: a@example.org\n\nbody".getBytes(StandardCharsets.UTF_8);

        assertEquals(Optional.of("\u00e9t\u00e9"), HeaderSection.first(HeaderSection.parse(message), "Subject"));
    }

    @Test
    void aMessageWithoutHeaders() {
        assertEquals(List.of(), HeaderSection.parse("\r\nbody only\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(List.of(), HeaderSection.parse(new byte[0]));
    }
}
