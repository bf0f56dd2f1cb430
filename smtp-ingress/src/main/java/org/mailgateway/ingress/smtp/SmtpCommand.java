package org.mailgateway.ingress.smtp;

import java.util.Map;
import org.mailgateway.ingress.smtp.address.SmtpPath;
import org.mailgateway.smtp.codec.SmtpReply;

/** One client command line, parsed. {@link Invalid} carries the reply for a line that could not be parsed. */
public sealed interface SmtpCommand {

    record Helo(String domain) implements SmtpCommand {
    }

    record Ehlo(String domain) implements SmtpCommand {
    }

    /** @param parameters ESMTP parameters, keys in upper case, value {@code null} for a keyword alone */
    record Mail(SmtpPath reversePath, Map<String, String> parameters) implements SmtpCommand {
    }

    record Rcpt(SmtpPath forwardPath, Map<String, String> parameters) implements SmtpCommand {
    }

    record Data() implements SmtpCommand {
    }

    record Rset() implements SmtpCommand {
    }

    record Noop() implements SmtpCommand {
    }

    record Quit() implements SmtpCommand {
    }

    record Vrfy(String argument) implements SmtpCommand {
    }

    record Help(String topic) implements SmtpCommand {
    }

    record StartTls() implements SmtpCommand {
    }

    /** @param argument the mechanism and an optional initial response, as sent */
    record Auth(String argument) implements SmtpCommand {
    }

    /** A command this server knows of but does not offer: EXPN, BDAT, ETRN, TURN, ATRN. */
    record NotImplemented(String verb) implements SmtpCommand {
    }

    /** Not an SMTP command at all. */
    record Unknown(String verb) implements SmtpCommand {
    }

    /** A known command with bad syntax, and the reply that says what is wrong. */
    record Invalid(String verb, SmtpReply reply) implements SmtpCommand {
    }
}
