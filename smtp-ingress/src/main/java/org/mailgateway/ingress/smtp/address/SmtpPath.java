package org.mailgateway.ingress.smtp.address;

import java.util.List;
import java.util.Locale;

/**
 * A parsed RFC 5321 path ({@code <user@example.org>}, {@code <@relay.example:user@example.org>} or the null
 * reverse path {@code <>}), keeping what relay control needs to know about its form.
 *
 * @param sourceRoute    the at-domains of an obsolete source route ({@code @a,@b:}), empty when there is none
 * @param localPart      the local part exactly as sent (with its quotes when quoted); empty for {@code <>}
 * @param domain         the domain or address literal exactly as sent (literal with brackets); empty for {@code <>}
 * @param quoted         the local part is a quoted string
 * @param addressLiteral the domain is an address literal such as {@code [192.0.2.1]}
 */
public record SmtpPath(List<String> sourceRoute, String localPart, String domain, boolean quoted, boolean addressLiteral) {

    public static final SmtpPath NULL = new SmtpPath(List.of(), "", "", false, false);

    public SmtpPath {
        sourceRoute = List.copyOf(sourceRoute);
    }

    public boolean isNull() {
        return localPart.isEmpty() && domain.isEmpty();
    }

    /** The mailbox as it goes into the envelope: {@code local@domain}, without brackets or source route. */
    public String mailbox() {
        return isNull() ? "" : localPart + "@" + domain;
    }

    /** The domain in lower case, for comparisons (domains are case-insensitive). */
    public String domainLowerCase() {
        return domain.toLowerCase(Locale.ROOT);
    }

    /** The local part without its quotes and quoted-pair backslashes: what a later hop would interpret. */
    public String unquotedLocalPart() {
        if (!quoted) {
            return localPart;
        }
        StringBuilder out = new StringBuilder(localPart.length());
        for (int i = 1; i < localPart.length() - 1; i++) {
            char c = localPart.charAt(i);
            if (c == '\\' && i + 1 < localPart.length() - 1) {
                c = localPart.charAt(++i);
            }
            out.append(c);
        }
        return out.toString();
    }
}
