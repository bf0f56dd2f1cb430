import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServerOptions;
import java.nio.charset.StandardCharsets;

/**
 * What refusing a connection costs without the gateway around it: every connection gets a 554 and is closed, by a
 * Vert.x {@code NetServer} as the ingress is built (one acceptor thread hands each connection to an event loop), by
 * Netty with the same acceptor thread, or by Netty accepting on its event loops themselves (one listening socket each,
 * {@code SO_REUSEPORT}). Run by {@code bench/refusal-floor.sh}; two event loops, epoll, as the ingress on two cores.
 */
public class Refuser {
    static final byte[] REPLY = "554 5.7.1 Client host [127.0.5.1] blocked until removed: flood benchmark\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    @ChannelHandler.Sharable
    static final class Refuse extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(REPLY)).addListener(ChannelFutureListener.CLOSE);
        }
    }

    public static void main(String[] a) throws Exception {
        String mode = a[0];
        int port = Integer.parseInt(a[1]);
        int loops = 2;
        if (mode.equals("vertx")) {
            Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(loops));
            Buffer reply = Buffer.buffer(REPLY);
            vertx.deployVerticle(() -> new AbstractVerticle() {
                @Override
                public void start(Promise<Void> p) {
                    vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(port).setTcpNoDelay(true)
                                    .setAcceptBacklog(1024).setReuseAddress(true))
                            .connectHandler(s -> {
                                s.write(reply);
                                s.end().onComplete(v -> s.close());
                            })
                            .listen().<Void>mapEmpty().onComplete(p);
                }
            }, new DeploymentOptions().setInstances(loops)).toCompletionStage().toCompletableFuture().get();
            System.out.println("vertx listening, native " + vertx.isNativeTransportEnabled());
        } else if (mode.equals("nettyhop")) {
            EpollEventLoopGroup boss = new EpollEventLoopGroup(1);
            EpollEventLoopGroup workers = new EpollEventLoopGroup(loops);
            new ServerBootstrap().group(boss, workers).channel(EpollServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 1024).childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new Refuse()).bind("127.0.0.1", port).sync();
            System.out.println("nettyhop listening, one acceptor thread");
        } else if (mode.equals("netty")) {
            EpollEventLoopGroup group = new EpollEventLoopGroup(loops);
            for (int i = 0; i < loops; i++) {
                EventLoop loop = group.next();
                new ServerBootstrap().group(loop, loop).channel(EpollServerSocketChannel.class)
                        .option(EpollChannelOption.SO_REUSEPORT, true).option(ChannelOption.SO_BACKLOG, 1024)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childHandler(new Refuse()).bind("127.0.0.1", port).sync();
            }
            System.out.println("netty listening on " + loops + " loops (SO_REUSEPORT)");
        } else {
            throw new IllegalArgumentException("mode: vertx, nettyhop or netty, not " + mode);
        }
        Thread.currentThread().join();
    }
}
