package org.mailgateway.policy.dnsbl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** A DNS server that never answers: a bound UDP socket that reads every query and drops it. */
public final class SilentDnsServer implements AutoCloseable {

    private final DatagramSocket socket;
    private final Thread reader;

    public SilentDnsServer() {
        try {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        reader = new Thread(() -> {
            byte[] buffer = new byte[512];
            while (!socket.isClosed()) {
                try {
                    socket.receive(new DatagramPacket(buffer, buffer.length));
                } catch (IOException closed) {
                    return;
                }
            }
        }, "silent-dns");
        reader.setDaemon(true);
        reader.start();
    }

    public int port() {
        return socket.getLocalPort();
    }

    @Override
    public void close() {
        socket.close();
    }
}
