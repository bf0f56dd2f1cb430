package org.mailgateway.admin.preview;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTML to plain text for reading, never for rendering: comments, scripts, styles and heads go with their content,
 * block ends become line breaks, every other tag is dropped, the common entities and numeric references are
 * decoded, runs of blank space collapse. The result goes into a JSON string, so nothing in it can act.
 */
final class HtmlText {

    private static final Pattern HIDDEN = Pattern.compile(
            "(?is)<!--.*?(-->|$)|<(script|style|head|title|template)\\b[^>]*>.*?(</\\2\\s*>|$)");
    private static final Pattern BREAK = Pattern.compile("(?i)<\\s*(br|/p|/div|/tr|/li|/h[1-6]|/table|hr)\\b[^>]*>");
    private static final Pattern TAG = Pattern.compile("(?s)<[^>]*(>|$)");
    private static final Pattern ENTITY = Pattern.compile("&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});");
    /** The HTML 4 Latin-1 entities, code points 160 to 255 in order. */
    private static final String LATIN1 = "nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml";
    private static final Map<String, String> NAMED = named();

    private HtmlText() {
    }

    private static Map<String, String> named() {
        Map<String, String> named = new HashMap<>(Map.of("amp", "&", "lt", "<", "gt", ">", "quot", "\"", "apos", "'",
                "euro", "\u20ac", "hellip", "\u2026", "mdash", "\u2014", "ndash", "\u2013", "rsquo", "\u2019"));
        String[] names = LATIN1.split(" ");
        for (int i = 0; i < names.length; i++) {
            named.put(names[i], String.valueOf((char) (160 + i)));
        }
        return Map.copyOf(named);
    }

    static String toText(String html) {
        String text = HIDDEN.matcher(html).replaceAll(" ");
        text = BREAK.matcher(text).replaceAll("\n");
        text = TAG.matcher(text).replaceAll(" ");
        text = entities(text);
        text = text.replaceAll("[ \\t\\x0B\\f\\r]+", " ").replaceAll(" *\n *", "\n").replaceAll("\n{3,}", "\n\n");
        return text.strip();
    }

    private static String entities(String text) {
        Matcher m = ENTITY.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String replacement;
            if (name.startsWith("#")) {
                int code = name.length() > 1 && (name.charAt(1) == 'x' || name.charAt(1) == 'X')
                        ? Integer.parseInt(name.substring(2), 16) : Integer.parseInt(name.substring(1));
                replacement = Character.isValidCodePoint(code) && code != 0 ? new String(Character.toChars(code)) : "\uFFFD";
            } else {
                replacement = NAMED.getOrDefault(name, NAMED.getOrDefault(name.toLowerCase(Locale.ROOT), m.group()));
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }
}
