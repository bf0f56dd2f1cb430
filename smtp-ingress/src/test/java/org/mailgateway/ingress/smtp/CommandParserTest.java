package org.mailgateway.ingress.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mailgateway.ingress.smtp.address.SmtpPath;

class CommandParserTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "HELO client.example       | Helo",
        "helo client.example       | Helo",
        "EHLO [192.0.2.1]          | Ehlo",
        "MAIL FROM:<a@example.org> | Mail",
        "mail from:<>              | Mail",
        "MAIL FROM: <a@example.org> | Mail",
        "RCPT TO:<b@example.test>  | Rcpt",
        "DATA                      | Data",
        "RSET                      | Rset",
        "NOOP                      | Noop",
        "NOOP anything             | Noop",
        "QUIT                      | Quit",
        "VRFY postmaster           | Vrfy",
        "HELP                      | Help",
        "STARTTLS                  | StartTls",
        "STARTTLS now              | Invalid",
        "AUTH PLAIN                | Auth",
        "AUTH                      | Invalid",
        "BDAT 100 LAST             | NotImplemented",
        "EXPN list                 | NotImplemented",
        "GET / HTTP/1.1            | Unknown",
        "HELO                      | Invalid",
        "EHLO two words            | Invalid",
        "MAIL TO:<a@example.org>   | Invalid",
        "MAIL FROM:a@example.org   | Invalid",
        "RCPT TO:<>                | Invalid",
        "RCPT TO:<a@example.test> X | Rcpt",
        "DATA now                  | Invalid",
        "QUIT now                  | Invalid",
    })
    void recognisesCommands(String line, String type) {
        assertEquals(type, CommandParser.parse(line.strip()).getClass().getSimpleName());
    }

    @Test
    void mailCarriesPathAndParameters() {
        SmtpCommand.Mail mail = (SmtpCommand.Mail) CommandParser.parse("MAIL FROM:<Sender@Example.org> SIZE=1000 BODY=8BITMIME");

        assertEquals("Sender@Example.org", mail.reversePath().mailbox());
        assertEquals(Map.of("SIZE", "1000", "BODY", "8BITMIME"), mail.parameters());
    }

    @Test
    void nullReversePath() {
        SmtpCommand.Mail mail = (SmtpCommand.Mail) CommandParser.parse("MAIL FROM:<>");

        assertEquals(SmtpPath.NULL, mail.reversePath());
        assertEquals("", mail.reversePath().mailbox());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "RCPT TO:<a@example.test>x   | 501 5.5.4",
        "RCPT TO:<a b@example.test>  | 501 5.1.3",
        "RCPT TO:<a@example..test>   | 501 5.1.3",
        "RCPT TO:<a@b@>              | 501 5.1.3",
        "RCPT TO:<a@-example.test>   | 501 5.1.3",
        "RCPT TO:<@example.test>     | 501 5.1.3",
        "RCPT TO:<a@[300.1.1.1]>     | 501 5.1.3",
        "MAIL FROM:<a@example.org    | 501 5.1.7",
    })
    void syntaxErrorsSayWhatIsWrong(String line, String reply) {
        SmtpCommand.Invalid invalid = assertInstanceOf(SmtpCommand.Invalid.class, CommandParser.parse(line.strip()));

        assertEquals(reply, invalid.reply().code() + " " + invalid.reply().enhancedCode());
    }

    @Test
    void controlAnd8BitCharactersAreRefused() {
        assertEquals(500, ((SmtpCommand.Invalid) CommandParser.parse("HELO a\u0000b")).reply().code());
        assertEquals(500, ((SmtpCommand.Invalid) CommandParser.parse("HELO \u00e9t\u00e9.example")).reply().code());
        SmtpCommand.Invalid mail = (SmtpCommand.Invalid) CommandParser.parse("MAIL FROM:<\u00e9@example.org>");
        assertEquals("553 5.6.7", mail.reply().code() + " " + mail.reply().enhancedCode());
    }

    @Test
    void utf8AddressesWithSmtputf8() {
        SmtpCommand.Mail mail = (SmtpCommand.Mail) CommandParser.parse("MAIL FROM:<j\u00f6rg@b\u00fccher.example> SMTPUTF8");
        SmtpCommand.Rcpt rcpt = (SmtpCommand.Rcpt) CommandParser.parse("RCPT TO:<\u7528\u6237@example.test>");

        assertEquals("j\u00f6rg@b\u00fccher.example", mail.reversePath().mailbox());
        assertEquals("\u7528\u6237@example.test", rcpt.forwardPath().mailbox());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // forms no RFC allows but trusted clients send: read, so that relay control can judge them
        "RCPT TO:<a@example.test.>   | a              | example.test.",
        "RCPT TO:<a@b@example.test>  | a@b            | example.test",
        "RCPT TO:<a@b@c@example.test> | a@b@c         | example.test",
    })
    void lenientFormsAreReadForRelayControl(String line, String localPart, String domain) {
        SmtpCommand.Rcpt rcpt = (SmtpCommand.Rcpt) CommandParser.parse(line.strip());

        assertEquals(localPart, rcpt.forwardPath().localPart());
        assertEquals(domain, rcpt.forwardPath().domain());
    }

    @Test
    void tooLongAddressesAreRefused() {
        String local = "a".repeat(65);
        SmtpCommand command = CommandParser.parse("RCPT TO:<" + local + "@example.test>");

        assertTrue(((SmtpCommand.Invalid) command).reply().text().contains("local part longer than 64"));
    }
}
