package org.mailgateway.ingress.smtp;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Handler;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.impl.VertxInternal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * One SMTP port, listened on by each event loop that serves SMTP: a listening socket per loop on the same port
 * ({@code SO_REUSEPORT}; the kernel spreads new connections over them), each connection served on the loop that
 * accepted it. There is no acceptor thread and no hand-over from it to an event loop: during a flood, that hop was a
 * quarter of the ingress's time (docs/benchmarks.md, the flood's refusal profile and {@code bench/refusal-floor.sh}).
 *
 * <p>The loops are Vert.x's own, and each has one Vert.x context, current whenever a connection's code runs, so that
 * Vert.x timers and the Kafka producer's callbacks come back to the connection's thread.
 *
 * <p>Because every socket has {@code SO_REUSEPORT}, a second process could bind the same port without an error and
 * take a share of the connections. Binding therefore first checks, with a plain socket, that the port is free.
 */
final class SmtpListener {

    private final List<Channel> listening;

    private SmtpListener(List<Channel> listening) {
        this.listening = listening;
    }

    /**
     * Binds {@code host:port} on the first {@code loops} event loops of {@code vertx}; {@code port} 0 binds a free port
     * (the same on every loop). Each new connection is handed to {@code connected} on its loop's context.
     */
    static SmtpListener bind(VertxInternal vertx, String host, int port, int loops, SslContext sslContext,
            long handshakeTimeoutMillis, Handler<SmtpSocket> connected) throws InterruptedException {
        if (vertx.isNativeTransportEnabled() && !Epoll.isAvailable()) {
            throw new IllegalStateException("the SMTP listener supports epoll and Java NIO; set"
                    + " quarkus.vertx.prefer-native-transport=false on this platform");
        }
        if (port != 0) {
            ensureFree(host, port);
        }
        List<EventLoop> eventLoops = new ArrayList<>();
        for (EventExecutor executor : vertx.getEventLoopGroup()) {
            if (eventLoops.size() < loops) {
                eventLoops.add((EventLoop) executor);
            }
        }
        List<Channel> listening = new ArrayList<>();
        int boundPort = port;
        try {
            for (EventLoop loop : eventLoops) {
                ContextInternal context = vertx.createEventLoopContext(loop, null, Thread.currentThread().getContextClassLoader());
                ServerBootstrap bootstrap = new ServerBootstrap()
                        .group(loop, loop)
                        .channelFactory(vertx.transport().serverChannelFactory(false))
                        .option(ChannelOption.SO_BACKLOG, 1024)
                        .option(ChannelOption.SO_REUSEADDR, true)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childHandler(new ChannelInitializer<>() {
                            @Override
                            protected void initChannel(Channel channel) {
                                channel.pipeline().addLast("smtp",
                                        new SmtpSocket(channel, context, sslContext, handshakeTimeoutMillis, connected));
                            }
                        });
                if (vertx.isNativeTransportEnabled()) {
                    bootstrap.option(EpollChannelOption.SO_REUSEPORT, true);
                } else {
                    bootstrap.option(NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT), true);
                }
                Channel channel = bootstrap.bind(host, boundPort).sync().channel();
                listening.add(channel);
                boundPort = ((InetSocketAddress) channel.localAddress()).getPort();
            }
        } catch (RuntimeException | InterruptedException e) {
            listening.forEach(Channel::close);
            throw e;
        }
        return new SmtpListener(listening);
    }

    private static void ensureFree(String host, int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + host + ":" + port, e);
        }
    }

    /** How many event loops listen: those asked for, at most as many as Vert.x has. */
    int loops() {
        return listening.size();
    }

    int port() {
        return ((InetSocketAddress) listening.get(0).localAddress()).getPort();
    }

    /** Stops accepting; connections already accepted stay open. */
    void close() throws InterruptedException {
        for (Channel channel : listening) {
            channel.close().sync();
        }
    }
}
