package org.mailgateway.ingress.smtp;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.mailgateway.ingress.smtp.address.PathParser;

/**
 * No input makes the command or path parser throw or run away: whatever a client sends, the answer is a
 * command or a reply that says what is wrong.
 */
class ParserPropertiesTest {

    @Property(tries = 3000)
    void anyLineParsesToACommand(@ForAll("smtpish") String line) {
        SmtpCommand command = CommandParser.parse(line);

        assertNotNull(command);
        if (command instanceof SmtpCommand.Invalid invalid) {
            assertTrue(invalid.reply().code() >= 500, invalid.reply().toString());
        }
    }

    @Property(tries = 3000)
    void anyArgumentGivesAPathOrAnError(@ForAll("smtpish") String argument, @ForAll boolean allowNull) {
        String text = "<" + argument;
        PathParser.Result result = PathParser.parse(text, 0, allowNull);

        assertTrue(result.isOk() ? result.end() <= text.length() && result.path() != null : !result.error().isEmpty());
    }

    @Property(tries = 2000)
    void wellFormedMailboxesRoundTrip(@ForAll("localParts") String local, @ForAll("domains") String domain) {
        SmtpCommand command = CommandParser.parse("RCPT TO:<" + local + "@" + domain + ">");

        SmtpCommand.Rcpt rcpt = (SmtpCommand.Rcpt) command;
        assertTrue(rcpt.forwardPath().mailbox().equals(local + "@" + domain), rcpt.toString());
    }

    /** Lines built from the characters that matter to the grammar, plus any character at all. */
    @Provide
    Arbitrary<String> smtpish() {
        Arbitrary<String> verbs = Arbitraries.of("MAIL FROM:", "RCPT TO:", "HELO ", "EHLO ", "AUTH ", "STARTTLS", "DATA", "");
        Arbitrary<String> tails = Arbitraries.strings()
                .withChars("<>@:,.\"\\%! =-[]abcAZ09\t")
                .withCharRange('\u0000', '\u00ff')
                .withCharRange('\u4e00', '\u4e10')
                .ofMaxLength(300);
        return verbs.flatMap(verb -> tails.map(tail -> verb + tail));
    }

    @Provide
    Arbitrary<String> localParts() {
        return Arbitraries.strings().withChars("abcxyzABC0129!#$&'*+-/=?^_`{|}~").ofMinLength(1).ofMaxLength(20)
                .list().ofMinSize(1).ofMaxSize(3).map(atoms -> String.join(".", atoms));
    }

    @Provide
    Arbitrary<String> domains() {
        Arbitrary<String> label = Arbitraries.strings().withChars("abcxyz0129").ofMinLength(1).ofMaxLength(12);
        return label.list().ofMinSize(1).ofMaxSize(4).map(labels -> String.join(".", labels));
    }
}
