package org.mailgateway.ingress.smtp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.impl.ContextInternal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import javax.net.ssl.SSLSession;

/**
 * One accepted TCP connection as {@link SmtpConnection} uses it: bytes in, replies out, pause and resume, STARTTLS,
 * close. A thin layer on the Netty channel that {@link SmtpListener} accepted on the event loop that serves it.
 *
 * <p>Every callback into the session runs on the Vert.x context of that event loop (made current for the call), so
 * that the session's Vert.x timers, Kafka callbacks and {@code executeBlocking} results come back to the same thread.
 * Received bytes are lent to the handler for the duration of the call; the handler copies what it keeps.
 *
 * <p>{@link #pause()} stops reading from the socket; bytes already read when it was called are held and handed over on
 * {@link #resume()}, so nothing is lost and nothing is read without bound while the session waits.
 */
final class SmtpSocket extends ChannelInboundHandlerAdapter {

    private final Channel channel;
    private final ContextInternal context;
    private final SslContext sslContext;
    private final long handshakeTimeoutMillis;
    private final Handler<SmtpSocket> connected;
    private final ArrayDeque<Buffer> held = new ArrayDeque<>(0);

    private Handler<Buffer> handler;
    private Handler<Void> closeHandler;
    private Handler<Throwable> exceptionHandler;
    private Handler<Void> drainHandler;
    private boolean paused;
    private SslHandler ssl;

    SmtpSocket(Channel channel, ContextInternal context, SslContext sslContext, long handshakeTimeoutMillis,
            Handler<SmtpSocket> connected) {
        this.channel = channel;
        this.context = context;
        this.sslContext = sslContext;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
        this.connected = connected;
    }

    void handler(Handler<Buffer> handler) {
        this.handler = handler;
    }

    void closeHandler(Handler<Void> handler) {
        this.closeHandler = handler;
    }

    void exceptionHandler(Handler<Throwable> handler) {
        this.exceptionHandler = handler;
    }

    /** Called once, when the socket is writable again after {@link #writeQueueFull()} said it was not. */
    void drainHandler(Handler<Void> handler) {
        this.drainHandler = handler;
    }

    InetAddress remoteAddress() {
        return ((InetSocketAddress) channel.remoteAddress()).getAddress();
    }

    void write(Buffer bytes) {
        channel.writeAndFlush(bytes.getByteBuf(), channel.voidPromise());
    }

    /** True while more is queued for the client than the channel's high-water mark: the client does not read. */
    boolean writeQueueFull() {
        return !channel.isWritable();
    }

    void pause() {
        paused = true;
        channel.config().setAutoRead(false);
    }

    void resume() {
        paused = false;
        while (!paused && !held.isEmpty() && channel.isActive()) {
            Buffer bytes = held.poll();
            context.dispatch(bytes, handler);
        }
        if (!paused) {
            channel.config().setAutoRead(true);
        }
    }

    /**
     * Writes the last plain-text reply (the 220 to STARTTLS), then makes the connection TLS as its server. Bytes the
     * client sent in plain text after STARTTLS and that were already read are dropped, never handed over as if they had
     * come through TLS. Completes when the handshake did; the socket stays paused until {@link #resume()}.
     */
    Future<Void> startTls(Buffer ready) {
        Promise<Void> done = context.promise();
        held.clear();
        channel.writeAndFlush(ready.getByteBuf()).addListener(written -> {
            if (!written.isSuccess()) {
                done.tryFail(written.cause());
                return;
            }
            ssl = sslContext.newHandler(channel.alloc());
            ssl.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
            channel.pipeline().addFirst("ssl", ssl);
            ssl.handshakeFuture().addListener(handshake -> {
                if (handshake.isSuccess()) {
                    done.tryComplete();
                } else {
                    done.tryFail(handshake.cause());
                }
            });
            channel.config().setAutoRead(true); // the handshake needs reading; what it decrypts is held until resume()
        });
        return done.future();
    }

    SSLSession sslSession() {
        return ssl == null ? null : ssl.engine().getSession();
    }

    /** Closes the connection once everything written so far has been sent. */
    void end() {
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    /** Closes the connection now; what was not yet sent is dropped. */
    void close() {
        channel.close();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        context.dispatch(this, connected);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        ByteBuf bytes = (ByteBuf) message;
        try {
            if (paused) {
                held.add(Buffer.buffer(Unpooled.copiedBuffer(bytes)));
            } else {
                context.dispatch(Buffer.buffer(bytes), handler);
            }
        } finally {
            bytes.release();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Handler<Void> drain = drainHandler;
        if (drain != null && channel.isWritable()) {
            drainHandler = null;
            context.dispatch(null, drain);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Handler<Void> closed = closeHandler;
        if (closed != null) {
            context.dispatch(null, closed);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Handler<Throwable> failed = exceptionHandler;
        if (failed != null) {
            context.dispatch(cause, failed);
        } else {
            channel.close();
        }
    }
}
