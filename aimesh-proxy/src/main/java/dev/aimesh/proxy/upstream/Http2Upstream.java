package dev.aimesh.proxy.upstream;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.proxy.http.ProxyLimits;
import dev.aimesh.proxy.http.UpstreamConnector;
import dev.aimesh.proxy.http.UpstreamLease;
import dev.aimesh.proxy.net.EventLoops;
import dev.aimesh.proxy.net.Flushes;
import dev.aimesh.proxy.net.TrafficCounters;
import dev.aimesh.proxy.tls.MeshTls;

/**
 * HTTP/2 to one next hop: one connection per event loop, kept open and shared by every request as a
 * stream of its own, so handshakes stay rare. {@link #mesh}: over mTLS to a peer inbound proxy that must
 * present the expected SPIFFE ID. {@link #cleartext}: h2c with prior knowledge to a local gRPC server.
 */
public final class Http2Upstream implements UpstreamConnector, AutoCloseable {
    /** Prepares a new connection's pipeline and completes {@code ready} when HTTP/2 can start. */
    private interface ConnectionSetup {
        void init(Channel channel, Promise<Channel> ready);
    }

    private final InetSocketAddress address;
    private final String description;
    private final ConnectionSetup setup;
    private final EventLoops loops;
    private final ProxyLimits limits;
    private final Map<EventLoop, Future<Channel>> connections = new ConcurrentHashMap<>();
    private final TrafficCounters counters = new TrafficCounters();

    private Http2Upstream(InetSocketAddress address, String description, ConnectionSetup setup, EventLoops loops,
            ProxyLimits limits) {
        this.address = address;
        this.description = description;
        this.setup = setup;
        this.loops = loops;
        this.limits = limits;
    }

    public static Http2Upstream mesh(InetSocketAddress address, SpiffeId expected, MeshTls tls, EventLoops loops,
            ProxyLimits limits) {
        return new Http2Upstream(address, expected + " at " + address.getHostString() + ":" + address.getPort(),
                (ch, ready) -> {
                    SslHandler ssl = tls.clientFor(expected).newHandler(ch.alloc(), address.getHostString(), address.getPort());
                    ssl.setHandshakeTimeoutMillis(limits.connectTimeout().toMillis());
                    ch.pipeline().addLast(ssl, new Http2Only(ready), new HandshakeFailure(ready));
                }, loops, limits);
    }

    public static Http2Upstream cleartext(InetSocketAddress address, EventLoops loops, ProxyLimits limits) {
        return new Http2Upstream(address, "the model server at " + address.getHostString() + ":" + address.getPort() + " (h2c)",
                (ch, ready) -> {
                    ch.pipeline().addLast(Flushes.consolidating(), Http2FrameCodecBuilder.forClient().build(),
                            new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()), new ReadyWhenActive(ready));
                }, loops, limits);
    }

    @Override
    public Future<UpstreamLease> acquire(EventLoop loop) {
        Future<Channel> connection = connections.get(loop);
        if (connection == null || (connection.isDone() && (!connection.isSuccess() || !connection.getNow().isActive()))) {
            connection = connect(loop);
            connections.put(loop, connection);
        }
        counters.request();
        Promise<UpstreamLease> leased = loop.newPromise();
        connection.addListener(f -> {
            if (!f.isSuccess()) {
                leased.setFailure(f.cause());
                return;
            }
            new Http2StreamChannelBootstrap((Channel) f.getNow()).handler(new ChannelInitializer<Http2StreamChannel>() {
                @Override
                protected void initChannel(Http2StreamChannel stream) {
                    stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false));
                }
            }).open().addListener(s -> {
                if (s.isSuccess()) {
                    leased.setSuccess(new StreamLease((Http2StreamChannel) s.getNow()));
                } else {
                    leased.setFailure(s.cause());
                }
            });
        });
        return leased;
    }

    private Future<Channel> connect(EventLoop loop) {
        counters.connectionOpened();
        Promise<Channel> ready = loop.newPromise();
        new Bootstrap().group(loop).channel(loops.channel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) limits.connectTimeout().toMillis())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        setup.init(ch, ready);
                    }
                })
                .connect(address).addListener(f -> {
                    if (!f.isSuccess()) {
                        ready.tryFailure(f.cause());
                    }
                });
        return ready;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public TrafficCounters counters() {
        return counters;
    }

    @Override
    public void close() {
        connections.values().forEach(f -> {
            if (f.isSuccess()) {
                f.getNow().close();
            }
        });
    }

    /** After the handshake, turns the connection into an HTTP/2 client; anything but h2 is a failure. */
    private static final class Http2Only extends ApplicationProtocolNegotiationHandler {
        private final Promise<Channel> ready;

        Http2Only(Promise<Channel> ready) {
            super("none");
            this.ready = ready;
        }

        @Override
        protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
            if (!ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                ready.tryFailure(new IllegalStateException("the peer proxy did not agree on HTTP/2 (ALPN: " + protocol + ")"));
                ctx.close();
                return;
            }
            ctx.pipeline().addLast(Flushes.consolidating(), Http2FrameCodecBuilder.forClient().build(),
                    new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
            ready.trySuccess(ctx.channel());
        }

        @Override
        protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
            ready.tryFailure(rootCause(cause));
            ctx.close();
        }
    }

    /** Without a handshake, HTTP/2 starts as soon as the connection is up. */
    private static final class ReadyWhenActive extends ChannelInboundHandlerAdapter {
        private final Promise<Channel> ready;

        ReadyWhenActive(Promise<Channel> ready) {
            this.ready = ready;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ready.trySuccess(ctx.channel());
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            ready.tryFailure(new IllegalStateException("the connection closed"));
            ctx.fireChannelInactive();
        }
    }

    /** Fails the promise if the connection dies before it is ready. */
    private static final class HandshakeFailure extends ChannelInboundHandlerAdapter {
        private final Promise<Channel> ready;

        HandshakeFailure(Promise<Channel> ready) {
            this.ready = ready;
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            ready.tryFailure(new IllegalStateException("the connection closed during the handshake"));
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ready.tryFailure(rootCause(cause));
            ctx.close();
        }
    }

    static Throwable rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    private record StreamLease(Http2StreamChannel channel) implements UpstreamLease {
        @Override
        public boolean http2() {
            return true;
        }

        @Override
        public void release(boolean reusable) {
            channel.close(); // a finished stream is closed already; an unfinished one is reset
        }
    }
}
