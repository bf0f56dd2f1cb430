package org.mailgateway.ingress.smtp;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.mailgateway.ingress.smtp.address.PathParser;
import org.mailgateway.smtp.codec.SmtpReply;

/**
 * Turns one command line (without its CRLF, decoded as ISO-8859-1 so that every octet survives) into an
 * {@link SmtpCommand}. Pure and total: no input makes it throw.
 */
public final class CommandParser {

    private static final Set<String> NOT_IMPLEMENTED = Set.of("EXPN", "STARTTLS", "AUTH", "BDAT", "ETRN", "TURN", "ATRN");

    private CommandParser() {
    }

    public static SmtpCommand parse(String line) {
        int space = line.indexOf(' ');
        String verb = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
        String argument = space < 0 ? "" : line.substring(space + 1);
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c < 32 && c != '\t' || c == 127) {
                return new SmtpCommand.Invalid(verb, SmtpReply.of(500, "5.5.2", "Error: control characters in command"));
            }
            if (c > 127) {
                return new SmtpCommand.Invalid(verb, SmtpReply.of(500, "5.5.2", "Error: 8-bit characters in command"));
            }
        }
        return switch (verb) {
            case "HELO" -> domainArgument(argument) ? new SmtpCommand.Helo(argument.strip()) : syntax(verb, "HELO hostname");
            case "EHLO" -> domainArgument(argument) ? new SmtpCommand.Ehlo(argument.strip()) : syntax(verb, "EHLO hostname");
            case "MAIL" -> mail(argument);
            case "RCPT" -> rcpt(argument);
            case "DATA" -> argument.isBlank() ? new SmtpCommand.Data() : syntax(verb, "DATA");
            case "RSET" -> argument.isBlank() ? new SmtpCommand.Rset() : syntax(verb, "RSET");
            case "NOOP" -> new SmtpCommand.Noop();
            case "QUIT" -> argument.isBlank() ? new SmtpCommand.Quit() : syntax(verb, "QUIT");
            case "VRFY" -> argument.isBlank() ? syntax(verb, "VRFY address") : new SmtpCommand.Vrfy(argument.strip());
            case "HELP" -> new SmtpCommand.Help(argument.strip());
            default -> NOT_IMPLEMENTED.contains(verb) ? new SmtpCommand.NotImplemented(verb) : new SmtpCommand.Unknown(verb);
        };
    }

    private static boolean domainArgument(String argument) {
        String name = argument.strip();
        return !name.isEmpty() && name.indexOf(' ') < 0 && name.indexOf('\t') < 0;
    }

    private static SmtpCommand mail(String argument) {
        int at = prefixEnd(argument, "FROM:");
        if (at < 0) {
            return syntax("MAIL", "MAIL FROM:<address>");
        }
        PathParser.Result path = PathParser.parse(argument, at, true);
        if (!path.isOk()) {
            return new SmtpCommand.Invalid("MAIL", SmtpReply.of(501, "5.1.7", "Bad sender address syntax: " + path.error()));
        }
        Map<String, String> params = parameters(argument, path.end());
        if (params == null) {
            return new SmtpCommand.Invalid("MAIL", SmtpReply.of(501, "5.5.4", "Syntax error in parameters"));
        }
        return new SmtpCommand.Mail(path.path(), params);
    }

    private static SmtpCommand rcpt(String argument) {
        int at = prefixEnd(argument, "TO:");
        if (at < 0) {
            return syntax("RCPT", "RCPT TO:<address>");
        }
        PathParser.Result path = PathParser.parse(argument, at, false);
        if (!path.isOk()) {
            return new SmtpCommand.Invalid("RCPT", SmtpReply.of(501, "5.1.3", "Bad recipient address syntax: " + path.error()));
        }
        Map<String, String> params = parameters(argument, path.end());
        if (params == null) {
            return new SmtpCommand.Invalid("RCPT", SmtpReply.of(501, "5.5.4", "Syntax error in parameters"));
        }
        return new SmtpCommand.Rcpt(path.path(), params);
    }

    /**
     * Where the path starts after {@code FROM:} / {@code TO:}. Spaces after the colon are tolerated, as by
     * most servers, because widespread clients send them.
     */
    private static int prefixEnd(String argument, String prefix) {
        if (!argument.regionMatches(true, 0, prefix, 0, prefix.length())) {
            return -1;
        }
        int i = prefix.length();
        while (i < argument.length() && argument.charAt(i) == ' ') {
            i++;
        }
        return i;
    }

    /** {@code SP keyword[=value]} pairs after the path, or {@code null} when malformed. */
    private static Map<String, String> parameters(String argument, int from) {
        Map<String, String> params = new LinkedHashMap<>();
        String rest = argument.substring(from);
        if (rest.isBlank()) {
            return params;
        }
        if (rest.charAt(0) != ' ') {
            return null;
        }
        for (String token : rest.strip().split(" +")) {
            int eq = token.indexOf('=');
            String key = (eq < 0 ? token : token.substring(0, eq)).toUpperCase(Locale.ROOT);
            if (key.isEmpty() || !key.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '-')) {
                return null;
            }
            params.put(key, eq < 0 ? null : token.substring(eq + 1));
        }
        return params;
    }

    private static SmtpCommand syntax(String verb, String usage) {
        return new SmtpCommand.Invalid(verb, SmtpReply.of(501, "5.5.4", "Syntax: " + usage));
    }
}
