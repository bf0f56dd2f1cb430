package org.mailgateway.ingress.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.impl.VertxInternal;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The listening sockets on their own, without a session behind them: one per event loop on one port, refusing a port
 * that something else holds, and each connection's code on its loop's Vert.x context.
 */
class SmtpListenerTest {

    private final VertxInternal vertx = (VertxInternal) Vertx.vertx(new VertxOptions().setPreferNativeTransport(true)
            .setEventLoopPoolSize(2));
    private final List<SmtpListener> listeners = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (SmtpListener listener : listeners) {
            listener.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aPortHeldByAnotherSocketIsNotShared() throws Exception {
        try (ServerSocket other = new ServerSocket()) {
            other.bind(new InetSocketAddress("127.0.0.1", 0));
            UncheckedIOException refused = assertThrows(UncheckedIOException.class,
                    () -> bind(other.getLocalPort(), socket -> socket.close()));
            assertTrue(refused.getMessage().contains(":" + other.getLocalPort()), refused.getMessage());
        }
    }

    /** Every listening socket has SO_REUSEPORT: without the check, a second gateway would take half the connections. */
    @Test
    void aSecondListenerOnTheSamePortFailsToStart() throws Exception {
        SmtpListener first = bind(0, socket -> socket.close());
        assertThrows(UncheckedIOException.class, () -> bind(first.port(), socket -> socket.close()));
    }

    /**
     * Each connection is served on an event loop with that loop's Vert.x context current, so that a Vert.x timer set by
     * the session fires on the same thread; both loops take connections.
     */
    @Test
    void connectionsAreServedOnTheirLoopWithItsContext() throws Exception {
        Set<String> loopsUsed = ConcurrentHashMap.newKeySet();
        SmtpListener listener = bind(0, socket -> {
            Context context = Vertx.currentContext();
            Thread accepted = Thread.currentThread();
            vertx.setTimer(1, id -> {
                boolean same = Vertx.currentContext() == context && Thread.currentThread() == accepted
                        && ((io.vertx.core.impl.ContextInternal) context).nettyEventLoop().inEventLoop();
                loopsUsed.add(accepted.getName());
                socket.write(Buffer.buffer(same ? "220 same loop\r\n" : "451 moved to " + Thread.currentThread().getName() + "\r\n"));
                socket.end();
            });
        });
        for (int i = 0; i < 40; i++) {
            try (Socket client = new Socket()) {
                // distinct source addresses, so that the kernel's hash spreads them over both sockets
                client.bind(new InetSocketAddress("127.0.0." + (i + 2), 0));
                client.connect(new InetSocketAddress("127.0.0.1", listener.port()), 5_000);
                client.setSoTimeout(5_000);
                String reply = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII))
                        .readLine();
                assertEquals("220 same loop", reply);
            }
        }
        assertEquals(2, loopsUsed.size(), "event loops that accepted: " + loopsUsed);
    }

    private SmtpListener bind(int port, io.vertx.core.Handler<SmtpSocket> connected) throws Exception {
        SmtpListener listener = SmtpListener.bind(vertx, "127.0.0.1", port, 2, null, 1_000, connected);
        listeners.add(listener);
        return listener;
    }
}
