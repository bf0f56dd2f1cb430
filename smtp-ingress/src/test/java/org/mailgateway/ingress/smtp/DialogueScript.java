package org.mailgateway.ingress.smtp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mailgateway.localstack.testing.SmtpDialogue;

/**
 * Runs an SMTP conversation written as a script, one step per line, so that a conformance test reads as the
 * dialogue it checks:
 * <pre>
 * # what the script shows (the first comment is its title)
 * from 127.0.0.2              connect from this address (first line; default 127.0.0.2)
 * S: 220                      expect a reply code, optionally with its enhanced code: S: 250 2.1.0
 * C: EHLO client.example      send a line (CRLF added)
 * C~ DATA\r\nx\n.\r\n         send bytes exactly, with escapes \r \n \t \0 \\ and \xHH (no CRLF added)
 * S: closed                   expect the server to have closed the connection
 * TLS                         run the client side of the TLS handshake (after 220 to STARTTLS)
 * repeat 100                  do the next step 100 times
 * </pre>
 * In C: and C~ lines, {@code {x*1001}} stands for 1001 copies of the character x, and {@code {base64:...}} for
 * the base64 of the text (escapes decoded first), e.g. {@code {base64:\0alice\0secret}}.
 */
final class DialogueScript {

    private static final Pattern REPEAT_CHAR = Pattern.compile("\\{(.)\\*(\\d+)\\}");
    private static final Pattern BASE64 = Pattern.compile("\\{base64:([^}]*)\\}");

    final String title;
    final String source;
    final List<String> steps;

    private DialogueScript(String title, String source, List<String> steps) {
        this.title = title;
        this.source = source;
        this.steps = steps;
    }

    static DialogueScript read(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            String title = lines.stream().filter(l -> l.startsWith("#")).findFirst().map(l -> l.substring(1).strip())
                    .orElse(file.getFileName().toString());
            String source = lines.stream().filter(l -> l.startsWith("from ")).findFirst().map(l -> l.substring(5).strip())
                    .orElse("127.0.0.2");
            List<String> steps = lines.stream().filter(l -> !l.isBlank() && !l.startsWith("#") && !l.startsWith("from "))
                    .toList();
            return new DialogueScript(title, source, steps);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void run(int port) {
        try (SmtpDialogue smtp = SmtpDialogue.connect(source, port)) {
            int repeat = 1;
            for (int i = 0; i < steps.size(); i++) {
                String step = steps.get(i);
                if (step.startsWith("repeat ")) {
                    repeat = Integer.parseInt(step.substring(7).strip());
                    continue;
                }
                for (int n = 0; n < repeat; n++) {
                    try {
                        perform(smtp, step);
                    } catch (AssertionError e) {
                        throw new AssertionError("step " + (i + 1) + " '" + step + "': " + e.getMessage(), e);
                    }
                }
                repeat = 1;
            }
        }
    }

    private static void perform(SmtpDialogue smtp, String step) {
        if (step.equals("TLS")) {
            smtp.startTls();
        } else if (step.equals("S: closed")) {
            if (!smtp.isClosedByServer()) {
                throw new AssertionError("the server did not close the connection");
            }
        } else if (step.startsWith("S: ")) {
            String[] expected = step.substring(3).strip().split(" ");
            if (expected.length > 1) {
                smtp.expect(Integer.parseInt(expected[0]), expected[1]);
            } else {
                smtp.expect(Integer.parseInt(expected[0]));
            }
        } else if (step.equals("C:")) {
            smtp.sendRaw("\r\n");
        } else if (step.startsWith("C: ")) {
            smtp.sendRaw(expand(step.substring(3)) + "\r\n");
        } else if (step.startsWith("C~ ")) {
            smtp.sendRaw(unescape(expand(step.substring(3))));
        } else {
            throw new IllegalArgumentException("unknown step: " + step);
        }
    }

    /** Macros, then UTF-8 text as ISO-8859-1 characters (one char per byte), ready for sendRaw. */
    private static String expand(String text) {
        Matcher base64 = BASE64.matcher(text);
        StringBuilder out = new StringBuilder();
        while (base64.find()) {
            byte[] bytes = unescape(base64.group(1)).getBytes(StandardCharsets.ISO_8859_1);
            base64.appendReplacement(out, Base64.getEncoder().encodeToString(bytes));
        }
        base64.appendTail(out);
        Matcher repeat = REPEAT_CHAR.matcher(out.toString());
        StringBuilder expanded = new StringBuilder();
        while (repeat.find()) {
            repeat.appendReplacement(expanded, Matcher.quoteReplacement(repeat.group(1).repeat(Integer.parseInt(repeat.group(2)))));
        }
        repeat.appendTail(expanded);
        return new String(expanded.toString().getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    private static String unescape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\\' || i + 1 >= text.length()) {
                out.append(c);
                continue;
            }
            char e = text.charAt(++i);
            switch (e) {
                case 'r' -> out.append('\r');
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case '0' -> out.append('\0');
                case '\\' -> out.append('\\');
                case 'x' -> {
                    out.append((char) Integer.parseInt(text.substring(i + 1, i + 3), 16));
                    i += 2;
                }
                default -> out.append('\\').append(e);
            }
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return title;
    }
}
