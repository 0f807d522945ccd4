package dev.aimesh.proxy.upstream;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.proxy.http.ProxyLimits;
import dev.aimesh.proxy.http.UpstreamConnector;
import dev.aimesh.proxy.http.UpstreamLease;
import dev.aimesh.proxy.http.UpstreamRelay;
import dev.aimesh.proxy.http.UpstreamPoolFull;
import dev.aimesh.proxy.net.EventLoops;
import dev.aimesh.proxy.net.Flushes;
import dev.aimesh.proxy.net.Http2Windows;
import dev.aimesh.proxy.net.TrafficCounters;
import dev.aimesh.proxy.tls.MeshTls;

/**
 * HTTP/2 to one next hop: connections per event loop, kept open and shared by every request as a stream
 * of its own, so handshakes stay rare; another connection opens only when every open one carries as many
 * streams as the peer allows (its SETTINGS_MAX_CONCURRENT_STREAMS), as long-lived LLM streams can, up to
 * {@link PoolBounds#connections()} per loop; beyond, a request fails at once with {@link UpstreamPoolFull}. A
 * connection whose peer falls silent under open streams is found by {@link PingLiveness}.
 * {@link #mesh}: over mTLS to a peer inbound proxy that must
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
    private final PoolBounds bounds;
    /** Each list is only touched on its event loop, as every acquire and release is. */
    private final Map<EventLoop, List<Connection>> connections = new ConcurrentHashMap<>();
    private final TrafficCounters counters = new TrafficCounters();
    /** Set by {@link #retire}: every connection closes once it carries no request. */
    private volatile boolean retired;

    private Http2Upstream(InetSocketAddress address, String description, ConnectionSetup setup, EventLoops loops,
            ProxyLimits limits, PoolBounds bounds) {
        this.bounds = bounds;
        this.address = address;
        this.description = description;
        this.setup = setup;
        this.loops = loops;
        this.limits = limits;
    }

    public static Http2Upstream mesh(InetSocketAddress address, SpiffeId expected, MeshTls tls, EventLoops loops,
            ProxyLimits limits) {
        return mesh(address, expected, tls, loops, limits, PoolBounds.HTTP2);
    }

    public static Http2Upstream mesh(InetSocketAddress address, SpiffeId expected, MeshTls tls, EventLoops loops,
            ProxyLimits limits, PoolBounds bounds) {
        return new Http2Upstream(address, expected + " at " + address.getHostString() + ":" + address.getPort(),
                (ch, ready) -> {
                    SslHandler ssl = tls.clientFor(expected).newHandler(ch.alloc(), address.getHostString(), address.getPort());
                    ssl.setHandshakeTimeoutMillis(limits.connectTimeout().toMillis());
                    ch.pipeline().addLast(ssl, new Http2Only(ready, limits.connectTimeout(), expected.toString()),
                            new HandshakeFailure(ready));
                }, loops, limits, bounds);
    }

    public static Http2Upstream cleartext(InetSocketAddress address, EventLoops loops, ProxyLimits limits) {
        return cleartext(address, loops, limits, PoolBounds.HTTP2);
    }

    public static Http2Upstream cleartext(InetSocketAddress address, EventLoops loops, ProxyLimits limits, PoolBounds bounds) {
        return new Http2Upstream(address, "the model server at " + address.getHostString() + ":" + address.getPort() + " (h2c)",
                (ch, ready) -> ch.pipeline().addLast(Flushes.consolidating(), clientCodec(), Http2Windows.connectionWindow(),
                        new PingLiveness(limits.connectTimeout(), "the model server"),
                        new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()), new ReadyOnSettings(ready)),
                loops, limits, bounds);
    }

    @Override
    public Future<UpstreamLease> acquire(EventLoop loop) {
        counters.request();
        Promise<UpstreamLease> leased = loop.newPromise();
        lease(loop, leased);
        return leased;
    }

    private void lease(EventLoop loop, Promise<UpstreamLease> leased) {
        if (leased.isCancelled()) {
            return; // its stream went away while it waited
        }
        Connection connection = withRoom(connections.computeIfAbsent(loop, l -> new ArrayList<>()), loop);
        if (connection == null) {
            leased.tryFailure(new UpstreamPoolFull(description + " has all its " + bounds.connections()
                    + " connections (per event loop) carrying as many streams as it takes, or being set up with "
                    + Connection.WHILE_CONNECTING + " requests waiting each"));
            return;
        }
        connection.inFlight++;
        connection.ready.addListener(f -> {
            if (!f.isSuccess()) {
                unlease(connection);
                leased.tryFailure(f.cause());
                return;
            }
            if (leased.isCancelled()) {
                unlease(connection);
                return;
            }
            if (connection.streams >= connection.maxStreams()) {
                // More requests waited for this connection than its peer takes at once: the rest go elsewhere.
                unlease(connection);
                lease(loop, leased);
                return;
            }
            connection.streams++;
            new Http2StreamChannelBootstrap((Channel) f.getNow()).handler(new UpstreamRelay()).open().addListener(s -> {
                if (s.isSuccess()) {
                    StreamLease lease = new StreamLease((Http2StreamChannel) s.getNow(), connection, this);
                    if (!leased.trySuccess(lease)) {
                        lease.release(true); // cancelled meanwhile; the stream never carried a frame
                    }
                } else {
                    unlease(connection);
                    connection.streams--;
                    leased.tryFailure(s.cause());
                }
            });
        });
    }

    /** A request that will not use {@code connection} after all; a retired connection may close now. */
    private void unlease(Connection connection) {
        connection.inFlight--;
        if (retired) {
            connection.closeIfIdle();
        }
    }

    /** The first live connection with a stream to spare, or a new one; null when there may be no more. */
    private Connection withRoom(List<Connection> open, EventLoop loop) {
        open.removeIf(Connection::dead);
        for (Connection c : open) {
            if (c.hasRoom()) {
                return c;
            }
        }
        if (open.size() >= bounds.connections()) {
            return null;
        }
        Connection fresh = new Connection(connect(loop));
        open.add(fresh);
        return fresh;
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
                        loops.track(ch);
                        ch.pipeline().addLast(PingLiveness.idleReads(limits.connectTimeout()));
                        setup.init(ch, ready);
                    }
                })
                .connect(address).addListener((ChannelFuture f) -> {
                    if (!f.isSuccess()) {
                        ready.tryFailure(f.cause());
                        return;
                    }
                    // TLS has its own handshake timeout; this also covers a peer that never sends its SETTINGS,
                    // which would otherwise hold every request leased to the connection.
                    loop.schedule(() -> {
                        if (ready.tryFailure(new IllegalStateException("no HTTP/2 SETTINGS from the peer within "
                                + limits.connectTimeout().toMillis() + " ms of connecting"))) {
                            f.channel().close();
                        }
                    }, limits.connectTimeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
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

    /**
     * Closes the connections that carry no request now and each other one when its last stream ends (on its
     * own event loop, which owns its list). A request that still comes (it picked this next hop from the
     * snapshot before) is served, and the connection it opens closes after it likewise.
     */
    @Override
    public void retire() {
        retired = true;
        connections.forEach((loop, open) -> loop.execute(() -> open.forEach(Connection::closeIfIdle)));
    }

    @Override
    public void close() {
        connections.values().forEach(open -> open.forEach(c -> {
            if (c.ready.isSuccess()) {
                c.ready.getNow().close();
            }
        }));
    }

    /** After the handshake, turns the connection into an HTTP/2 client; anything but h2 is a failure. */
    private static final class Http2Only extends ApplicationProtocolNegotiationHandler {
        private final Promise<Channel> ready;
        private final Duration quiet;
        private final String peer;

        Http2Only(Promise<Channel> ready, Duration quiet, String peer) {
            super("none");
            this.ready = ready;
            this.quiet = quiet;
            this.peer = peer;
        }

        @Override
        protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
            if (!ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                ready.tryFailure(new IllegalStateException("the peer proxy did not agree on HTTP/2 (ALPN: " + protocol + ")"));
                ctx.close();
                return;
            }
            ctx.pipeline().addLast(Flushes.consolidating(), clientCodec(), Http2Windows.connectionWindow(), new PingLiveness(quiet, "the peer proxy " + peer),
                    new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()), new ReadyOnSettings(ready));
        }

        @Override
        protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
            ready.tryFailure(rootCause(cause));
            ctx.close();
        }
    }

    /**
     * A client codec that holds back streams beyond the peer's limit rather than break the protocol:
     * the connection choice above keeps under it, this covers a peer that lowers it later.
     */
    private static Http2FrameCodec clientCodec() {
        return Http2FrameCodecBuilder.forClient().initialSettings(Http2Windows.streamWindow(Http2Settings.defaultSettings()))
                .encoderEnforceMaxConcurrentStreams(true).build();
    }

    /**
     * Streams may start once the peer's SETTINGS have arrived, so that the first requests on a new
     * connection already know how many streams the peer takes.
     */
    private static final class ReadyOnSettings extends ChannelInboundHandlerAdapter {
        private final Promise<Channel> ready;

        ReadyOnSettings(Promise<Channel> ready) {
            this.ready = ready;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2SettingsFrame) {
                ready.trySuccess(ctx.channel());
            }
            ReferenceCountUtil.release(msg); // nothing after this handler reads connection-level frames
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            ready.tryFailure(new IllegalStateException("the connection closed before HTTP/2 was set up"));
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

    /**
     * One connection to the next hop: requests leased to it (some may wait for it to be set up) and the
     * streams open on it, neither released yet.
     */
    private static final class Connection {
        /** Requests that may wait for a connection being set up, before another one is opened. */
        private static final int WHILE_CONNECTING = 100;

        final Future<Channel> ready;
        int inFlight;
        int streams;
        private Http2Connection http2;

        Connection(Future<Channel> ready) {
            this.ready = ready;
        }

        /** Closes the connection when no request is leased to it; one being set up closes when its lease ends. */
        void closeIfIdle() {
            if (inFlight == 0 && ready.isSuccess()) {
                ready.getNow().close();
            }
        }

        boolean dead() {
            return ready.isDone() && (!ready.isSuccess() || !ready.getNow().isActive());
        }

        boolean hasRoom() {
            if (!ready.isDone()) {
                return inFlight < WHILE_CONNECTING;
            }
            return inFlight < maxStreams();
        }

        /** The peer's SETTINGS_MAX_CONCURRENT_STREAMS, known once {@link #ready}; 0 if the codec is gone. */
        int maxStreams() {
            if (http2 == null) {
                Http2FrameCodec codec = ready.getNow().pipeline().get(Http2FrameCodec.class); // looked up once
                if (codec == null) {
                    return 0;
                }
                http2 = codec.connection();
            }
            return http2.local().maxActiveStreams();
        }
    }

    private static final class StreamLease implements UpstreamLease {
        private final Http2StreamChannel channel;
        private final Connection connection;
        private final Http2Upstream upstream;
        private boolean released;

        StreamLease(Http2StreamChannel channel, Connection connection, Http2Upstream upstream) {
            this.channel = channel;
            this.connection = connection;
            this.upstream = upstream;
        }

        @Override
        public Channel channel() {
            return channel;
        }

        @Override
        public boolean http2() {
            return true;
        }

        @Override
        public void release(boolean reusable) {
            if (!released) {
                released = true;
                connection.inFlight--;
                connection.streams--;
            }
            channel.close(); // a finished stream is closed already; an unfinished one is reset
            if (upstream.retired) {
                connection.closeIfIdle();
            }
        }
    }
}
