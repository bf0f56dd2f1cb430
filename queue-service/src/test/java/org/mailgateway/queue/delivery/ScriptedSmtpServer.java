package org.mailgateway.queue.delivery;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.mailgateway.localstack.tls.SelfSignedKeystore;

/**
 * A downstream SMTP server whose behaviour a test scripts: which extensions it announces, which recipients it
 * refuses, whether it insists on pipelining, holds or drops DATA, or closes after each transaction. It records
 * what it received. Blocking sockets, one thread per connection: simple and obviously not ours.
 */
final class ScriptedSmtpServer implements AutoCloseable {

    /** One received message, and whether it came over TLS. */
    record Received(String mailFrom, List<String> recipients, byte[] data, boolean tls) {
    }

    boolean pipelining = true;
    /** Offer STARTTLS (with a self-signed certificate). */
    boolean starttls;
    boolean eightBitMime = true;
    boolean smtpUtf8;
    /** Answer MAIL only once DATA has arrived too: a client that does not pipeline waits forever. */
    boolean insistOnPipelining;
    Predicate<String> refuseRecipient = r -> false;
    /** Close the connection (without a word) right after each transaction. */
    boolean closeAfterTransaction;
    /** Hold the reply to the end of data this long. */
    long dataReplyDelayMillis;
    /** Close the connection in the middle of the message content. */
    boolean dropDuringData;
    /** Accept the connection and then say nothing at all: a stalled server. */
    boolean silent;

    final List<Received> received = Collections.synchronizedList(new ArrayList<>());
    /** Every MAIL command as received (bytes as ISO-8859-1 characters). */
    final List<String> mailCommands = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger ehlos = new AtomicInteger();
    private final AtomicInteger concurrent = new AtomicInteger();
    final AtomicInteger maxConcurrent = new AtomicInteger();
    private final ServerSocket server;
    private final Thread acceptor;

    ScriptedSmtpServer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::acceptLoop, "scripted-smtp");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    Destination destination() {
        return new Destination("127.0.0.1", server.getLocalPort());
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                connections.incrementAndGet();
                maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
                Thread t = new Thread(() -> serve(socket));
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket plainSocket) {
        Socket socket = plainSocket;
        boolean tls = false;
        try {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            if (silent) {
                while (in.read() >= 0) {
                    // listen, never answer, until the client gives up
                }
                return;
            }
            write(out, "220 scripted.test ESMTP\r\n");
            String mailFrom = null;
            List<String> rcpts = new ArrayList<>();
            List<String> pendingReplies = new ArrayList<>();
            String line;
            while ((line = readLine(in)) != null) {
                String upper = line.toUpperCase();
                if (upper.startsWith("EHLO")) {
                    ehlos.incrementAndGet();
                    write(out, "250-scripted.test\r\n" + (pipelining ? "250-PIPELINING\r\n" : "")
                            + (starttls && !tls ? "250-STARTTLS\r\n" : "")
                            + (eightBitMime ? "250-8BITMIME\r\n" : "") + (smtpUtf8 ? "250-SMTPUTF8\r\n" : "")
                            + "250 SIZE 10000000\r\n");
                } else if (upper.startsWith("MAIL FROM:")) {
                    mailCommands.add(line);
                    mailFrom = line.substring(line.indexOf('<') + 1, line.indexOf('>'));
                    rcpts.clear();
                    pendingReplies.add("250 2.1.0 Ok\r\n");
                } else if (upper.startsWith("RCPT TO:")) {
                    String rcpt = line.substring(line.indexOf('<') + 1, line.indexOf('>'));
                    if (refuseRecipient.test(rcpt)) {
                        pendingReplies.add("550 5.1.1 <" + rcpt + ">: no such user\r\n");
                    } else {
                        rcpts.add(rcpt);
                        pendingReplies.add("250 2.1.5 Ok\r\n");
                    }
                } else if (upper.equals("DATA")) {
                    pendingReplies.add(rcpts.isEmpty() ? "554 5.5.1 no valid recipients\r\n" : "354 go ahead\r\n");
                    write(out, String.join("", pendingReplies));
                    pendingReplies.clear();
                    if (rcpts.isEmpty()) {
                        continue;
                    }
                    if (dropDuringData) {
                        readLine(in);
                        return;
                    }
                    byte[] data = readData(in);
                    if (dataReplyDelayMillis > 0) {
                        Thread.sleep(dataReplyDelayMillis);
                    }
                    received.add(new Received(mailFrom, List.copyOf(rcpts), data, tls));
                    write(out, "250 2.0.0 queued\r\n");
                    if (closeAfterTransaction) {
                        return;
                    }
                } else if (upper.equals("STARTTLS") && starttls && !tls) {
                    write(out, "220 2.0.0 Ready to start TLS\r\n");
                    SSLSocket secured = (SSLSocket) tlsContext().getSocketFactory().createSocket(socket, null, socket.getPort(), true);
                    secured.setUseClientMode(false);
                    secured.startHandshake();
                    socket = secured;
                    in = secured.getInputStream();
                    out = secured.getOutputStream();
                    tls = true;
                } else if (upper.equals("RSET")) {
                    pendingReplies.clear();
                    write(out, "250 2.0.0 Ok\r\n");
                } else if (upper.equals("QUIT")) {
                    write(out, "221 2.0.0 Bye\r\n");
                    return;
                } else {
                    write(out, "500 5.5.2 what?\r\n");
                }
                if (!insistOnPipelining && !pendingReplies.isEmpty()) {
                    write(out, String.join("", pendingReplies));
                    pendingReplies.clear();
                }
            }
        } catch (IOException | InterruptedException | GeneralSecurityException e) {
            // the client went away
        } finally {
            concurrent.decrementAndGet();
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    private static SSLContext tlsContext() throws IOException, GeneralSecurityException {
        Path keystore = SelfSignedKeystore.ensure(Path.of(System.getProperty("java.io.tmpdir"), "scripted-smtp.p12"),
                "scripted.test");
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, SelfSignedKeystore.PASSWORD.toCharArray());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, SelfSignedKeystore.PASSWORD.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }

    private static byte[] readData(InputStream in) throws IOException {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        String line;
        while ((line = readLine(in)) != null && !line.equals(".")) {
            data.writeBytes((line.startsWith(".") ? line.substring(1) : line).getBytes(StandardCharsets.ISO_8859_1));
            data.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        return data.toByteArray();
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
        return null;
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
