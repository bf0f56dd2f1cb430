package org.mailgateway.ingress.smtp.address;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses RFC 5321 section 4.1.2 paths: {@code "<" [ A-d-l ":" ] Mailbox ">"}, a local part that is a
 * dot-string or a quoted string, a domain or an address literal, and the section 4.5.3.1 length limits.
 * UTF-8 characters are accepted where RFC 6531 allows them (whether the session may use them is the
 * caller's decision). Two forms that no RFC allows but that trusted clients do send are read rather than
 * refused as syntax errors, so that relay control can judge them: a second {@code @} in an unquoted local
 * part ({@code <a@b@c>}: local part {@code a@b}) and a domain with a trailing dot. It never throws on bad
 * input; it returns a {@link Result} whose error says what is wrong.
 */
public final class PathParser {

    public static final int MAX_LOCAL_PART = 64;
    public static final int MAX_DOMAIN = 255;
    public static final int MAX_PATH = 256;

    /** A parsed path and the index just after its {@code >}, or an error message. */
    public record Result(SmtpPath path, int end, String error) {

        static Result ok(SmtpPath path, int end) {
            return new Result(path, end, null);
        }

        static Result fail(String error) {
            return new Result(null, -1, error);
        }

        public boolean isOk() {
            return error == null;
        }
    }

    private final String s;
    private int pos;

    private PathParser(String s, int pos) {
        this.s = s;
        this.pos = pos;
    }

    /**
     * Parses a path starting at {@code from} (which must be the {@code <}).
     *
     * @param allowNull whether {@code <>} is acceptable (MAIL FROM yes, RCPT TO no)
     */
    public static Result parse(String text, int from, boolean allowNull) {
        return new PathParser(text, from).path(allowNull);
    }

    private Result path(boolean allowNull) {
        int start = pos;
        if (!eat('<')) {
            return Result.fail("the address must be enclosed in <>");
        }
        if (eat('>')) {
            return allowNull ? Result.ok(SmtpPath.NULL, pos) : Result.fail("the null path <> is not a recipient");
        }
        List<String> route = new ArrayList<>();
        if (peek() == '@') {
            while (true) {
                if (!eat('@')) {
                    return Result.fail("invalid source route");
                }
                int domainStart = pos;
                if (!domain()) {
                    return Result.fail("invalid domain in source route");
                }
                route.add(s.substring(domainStart, pos));
                if (eat(',')) {
                    continue;
                }
                if (eat(':')) {
                    break;
                }
                return Result.fail("invalid source route");
            }
        }
        int localStart = pos;
        boolean quoted = peek() == '"';
        if (quoted ? !quotedString() : !dotString()) {
            return Result.fail("invalid local part");
        }
        while (!quoted && peek() == '@' && anotherAtBeforeClose()) {
            pos++;
            if (!dotString()) {
                return Result.fail("invalid local part");
            }
        }
        String localPart = s.substring(localStart, pos);
        if (!eat('@')) {
            return Result.fail("missing @domain");
        }
        int domainStart = pos;
        boolean literal = peek() == '[';
        if (literal ? !addressLiteral() : !domain()) {
            return Result.fail("invalid domain");
        }
        String domain = s.substring(domainStart, pos);
        if (!eat('>')) {
            return Result.fail("unexpected character after the domain");
        }
        if (localPart.length() > MAX_LOCAL_PART) {
            return Result.fail("local part longer than " + MAX_LOCAL_PART + " octets");
        }
        if (domain.length() > MAX_DOMAIN) {
            return Result.fail("domain longer than " + MAX_DOMAIN + " octets");
        }
        if (pos - start - 2 > MAX_PATH) {
            return Result.fail("path longer than " + MAX_PATH + " octets");
        }
        return Result.ok(new SmtpPath(route, localPart, domain, quoted, literal), pos);
    }

    /** Whether an {@code @} follows before the closing {@code >}: the current one belongs to the local part. */
    private boolean anotherAtBeforeClose() {
        for (int i = pos + 1; i < s.length() && s.charAt(i) != '>'; i++) {
            if (s.charAt(i) == '@') {
                return true;
            }
        }
        return false;
    }

    private boolean dotString() {
        if (!atom()) {
            return false;
        }
        while (peek() == '.') {
            pos++;
            if (!atom()) {
                return false;
            }
        }
        return true;
    }

    private boolean atom() {
        int start = pos;
        while (pos < s.length() && isAtext(s.charAt(pos))) {
            pos++;
        }
        return pos > start;
    }

    private boolean quotedString() {
        pos++; // opening quote
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c == '"') {
                pos++;
                return true;
            }
            if (c == '\\') {
                if (pos + 1 >= s.length() || s.charAt(pos + 1) < 32 || s.charAt(pos + 1) > 126) {
                    return false;
                }
                pos += 2;
            } else if (c >= 32 && c <= 126 || c >= 0x80) {
                pos++;
            } else {
                return false;
            }
        }
        return false;
    }

    /** {@code sub-domain *("." sub-domain)}, each a letter-digit-hyphen label not ending in a hyphen. */
    private boolean domain() {
        if (!label()) {
            return false;
        }
        while (peek() == '.') {
            pos++;
            if (peek() == '>') {
                return true; // a trailing dot: relay control refuses it for untrusted clients
            }
            if (!label()) {
                return false;
            }
        }
        return true;
    }

    private boolean label() {
        int start = pos;
        while (pos < s.length() && (isLetDig(s.charAt(pos)) || s.charAt(pos) == '-')) {
            pos++;
        }
        return pos > start && pos - start <= 63 && isLetDig(s.charAt(start)) && isLetDig(s.charAt(pos - 1));
    }

    private boolean addressLiteral() {
        int close = s.indexOf(']', pos);
        if (close < 0) {
            return false;
        }
        String inner = s.substring(pos + 1, close);
        boolean valid;
        if (inner.regionMatches(true, 0, "IPv6:", 0, 5)) {
            String v6 = inner.substring(5);
            valid = !v6.isEmpty() && v6.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')
                    && v6.indexOf(':') >= 0;
        } else {
            valid = isIpv4(inner);
        }
        if (!valid) {
            return false;
        }
        pos = close + 1;
        return true;
    }

    private static boolean isIpv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')
                    || Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    private char peek() {
        return pos < s.length() ? s.charAt(pos) : 0;
    }

    private boolean eat(char c) {
        if (peek() == c && pos < s.length()) {
            pos++;
            return true;
        }
        return false;
    }

    /** Letters and digits, and any non-ASCII character (U-labels, RFC 6531). */
    private static boolean isLetDig(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
    }

    /** RFC 5322 atext, extended with UTF-8 by RFC 6531: the characters of an unquoted local part. */
    static boolean isAtext(char c) {
        return isLetDig(c) || "!#$%&'*+-/=?^_`{|}~".indexOf(c) >= 0;
    }
}
