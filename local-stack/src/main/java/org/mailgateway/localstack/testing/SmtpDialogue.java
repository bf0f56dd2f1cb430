package org.mailgateway.localstack.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A scripted SMTP client for tests that read as the conversation they check:
 * <pre>
 * dialogue.expect(220)
 *         .send("EHLO client.example").expect(250)
 *         .send("RCPT TO:&lt;x@elsewhere.test&gt;").expect(554, "5.7.1");
 * </pre>
 * It sends exactly the bytes it is given (CRLF appended by {@link #send}), so tests can also send what no
 * well-behaved client would.
 */
public final class SmtpDialogue implements AutoCloseable {

    /** One reply: its code and its lines (without the code and separator). */
    public record Reply(int code, List<String> lines) {

        public String text() {
            return String.join("\n", lines);
        }

        /** The enhanced status code at the start of the first line, or empty. */
        public String enhancedCode() {
            String first = lines.get(0);
            int space = first.indexOf(' ');
            String head = space < 0 ? first : first.substring(0, space);
            return head.matches("[245]\\.\\d{1,3}\\.\\d{1,3}") ? head : "";
        }
    }

    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private Reply last;

    private SmtpDialogue(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(60_000);
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    public static SmtpDialogue connect(int port) {
        return connect(null, port);
    }

    /** @param source the local address to connect from (e.g. 127.0.0.77), or null */
    public static SmtpDialogue connect(String source, int port) {
        try {
            Socket socket = new Socket();
            if (source != null) {
                socket.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
            }
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
            return new SmtpDialogue(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends a line with CRLF. */
    public SmtpDialogue send(String line) {
        return sendRaw((line + "\r\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Sends bytes exactly as given. */
    public SmtpDialogue sendRaw(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public SmtpDialogue sendRaw(String text) {
        return sendRaw(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Reads the next reply and checks its code. */
    public SmtpDialogue expect(int code) {
        Reply reply = readReply();
        if (reply.code() != code) {
            throw new AssertionError("expected " + code + " but the server said " + reply.code() + " " + reply.text());
        }
        return this;
    }

    /** Reads the next reply and checks its code and enhanced status code. */
    public SmtpDialogue expect(int code, String enhancedCode) {
        expect(code);
        if (!last.enhancedCode().equals(enhancedCode)) {
            throw new AssertionError("expected " + code + " " + enhancedCode + " but the server said " + last.code() + " "
                    + last.text());
        }
        return this;
    }

    /**
     * Runs the client side of a TLS handshake on this connection (after the server's {@code 220} to STARTTLS).
     * Any certificate is accepted: the tests' server has a self-signed one.
     */
    public SmtpDialogue startTls() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(socket, "localhost", socket.getPort(), true);
            tls.setUseClientMode(true);
            tls.startHandshake();
            socket = tls;
            in = tls.getInputStream();
            out = tls.getOutputStream();
            return this;
        } catch (IOException | GeneralSecurityException e) {
            throw new AssertionError("TLS handshake failed: " + e, e);
        }
    }

    /** The TLS protocol negotiated, or null on a plain connection. */
    public String tlsProtocol() {
        return socket instanceof SSLSocket tls ? tls.getSession().getProtocol() : null;
    }

    /** The reply read last. */
    public Reply lastReply() {
        return last;
    }

    public Reply readReply() {
        List<String> lines = new ArrayList<>();
        int code;
        while (true) {
            String line = readLine();
            if (line == null) {
                throw new AssertionError("the server closed the connection; replies so far: " + lines);
            }
            if (line.length() < 3) {
                throw new AssertionError("not a reply line: " + line);
            }
            code = Integer.parseInt(line.substring(0, 3));
            lines.add(line.length() > 4 ? line.substring(4) : "");
            if (line.length() == 3 || line.charAt(3) == ' ') {
                break;
            }
        }
        last = new Reply(code, lines);
        return last;
    }

    /** True when the server closed the connection (reads until end of stream, failing on unexpected bytes). */
    public boolean isClosedByServer() {
        try {
            int b = in.read();
            if (b >= 0) {
                throw new AssertionError("expected the connection to be closed, got more bytes starting with " + (char) b);
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset by peer
        }
    }

    private String readLine() {
        try {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                if (b == '\n') {
                    byte[] bytes = line.toByteArray();
                    int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                    return new String(bytes, 0, length, StandardCharsets.UTF_8);
                }
                line.write(b);
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
