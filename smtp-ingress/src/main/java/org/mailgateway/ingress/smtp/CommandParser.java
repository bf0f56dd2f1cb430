package org.mailgateway.ingress.smtp;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import org.mailgateway.ingress.smtp.address.PathParser;
import org.mailgateway.ingress.smtp.address.SmtpPath;
import org.mailgateway.smtp.codec.SmtpReply;

/**
 * Turns one command line (without its CRLF; see {@link CommandLines} for the decoding) into an
 * {@link SmtpCommand}. Non-ASCII characters are allowed only where RFC 6531 allows them: in the addresses
 * of MAIL (when it asks for SMTPUTF8) and RCPT (the connection checks that the transaction did). Pure and
 * total: no input makes it throw.
 */
public final class CommandParser {

    private static final Set<String> NOT_IMPLEMENTED = Set.of("EXPN", "BDAT", "ETRN", "TURN", "ATRN");

    private CommandParser() {
    }

    public static SmtpCommand parse(String line) {
        int space = line.indexOf(' ');
        String verb = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
        String argument = space < 0 ? "" : line.substring(space + 1);
        boolean nonAscii = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c < 32 && c != '\t' || c == 127) {
                return new SmtpCommand.Invalid(verb, SmtpReply.of(500, "5.5.2", "Error: control characters in command"));
            }
            nonAscii |= c > 127;
        }
        if (nonAscii && !verb.equals("MAIL") && !verb.equals("RCPT")) {
            return new SmtpCommand.Invalid(verb.chars().allMatch(c -> c < 128) ? verb : "?",
                    SmtpReply.of(500, "5.5.2", "Error: 8-bit characters in command"));
        }
        SmtpCommand command = switch (verb) {
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
            case "STARTTLS" -> argument.isBlank() ? new SmtpCommand.StartTls() : syntax(verb, "STARTTLS");
            case "AUTH" -> argument.isBlank() ? syntax(verb, "AUTH mechanism [initial-response]") : new SmtpCommand.Auth(argument.strip());
            default -> NOT_IMPLEMENTED.contains(verb) ? new SmtpCommand.NotImplemented(verb) : new SmtpCommand.Unknown(verb);
        };
        if (nonAscii && command instanceof SmtpCommand.Mail mail && !mail.parameters().containsKey("SMTPUTF8")) {
            return new SmtpCommand.Invalid(verb, SmtpReply.of(553, "5.6.7", "Error: non-ASCII address needs the SMTPUTF8 parameter"));
        }
        return command;
    }

    private static boolean domainArgument(String argument) {
        String name = argument.strip();
        return !name.isEmpty() && name.indexOf(' ') < 0 && name.indexOf('\t') < 0;
    }

    private static SmtpCommand mail(String argument) {
        return pathCommand("MAIL", "FROM:", argument, true, "5.1.7", "Bad sender address syntax: ", SmtpCommand.Mail::new);
    }

    private static SmtpCommand rcpt(String argument) {
        return pathCommand("RCPT", "TO:", argument, false, "5.1.3", "Bad recipient address syntax: ", SmtpCommand.Rcpt::new);
    }

    /** {@code MAIL FROM:<path> [params]} and {@code RCPT TO:<path> [params]}: the same grammar, other words. */
    private static SmtpCommand pathCommand(String verb, String prefix, String argument, boolean allowNullPath,
            String badPathStatus, String badPathText, BiFunction<SmtpPath, Map<String, String>, SmtpCommand> command) {
        int at = prefixEnd(argument, prefix);
        if (at < 0) {
            return syntax(verb, verb + " " + prefix + "<address>");
        }
        PathParser.Result path = PathParser.parse(argument, at, allowNullPath);
        if (!path.isOk()) {
            return new SmtpCommand.Invalid(verb, SmtpReply.of(501, badPathStatus, badPathText + path.error()));
        }
        Map<String, String> params = parameters(argument, path.end());
        if (params == null) {
            return new SmtpCommand.Invalid(verb, SmtpReply.of(501, "5.5.4", "Syntax error in parameters"));
        }
        return command.apply(path.path(), params);
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
