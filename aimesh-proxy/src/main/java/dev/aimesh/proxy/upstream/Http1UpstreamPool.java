package dev.aimesh.proxy.upstream;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.pool.ChannelHealthChecker;
import io.netty.channel.pool.FixedChannelPool;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import dev.aimesh.proxy.http.ProxyLimits;
import dev.aimesh.proxy.http.UpstreamConnector;
import dev.aimesh.proxy.http.UpstreamLease;
import dev.aimesh.proxy.http.UpstreamRelay;
import dev.aimesh.proxy.http.UpstreamPoolFull;
import dev.aimesh.proxy.net.EventLoops;
import dev.aimesh.proxy.net.TrafficCounters;

/**
 * Keep-alive HTTP/1.1 connections to the local model server, pooled per event loop so that a
 * connection is only ever used from the thread of the exchange that holds it, within {@link PoolBounds}.
 */
public final class Http1UpstreamPool implements UpstreamConnector, AutoCloseable {
    private final InetSocketAddress address;
    private final EventLoops loops;
    private final ProxyLimits limits;
    private final PoolBounds bounds;
    private final Map<EventLoop, FixedChannelPool> pools = new ConcurrentHashMap<>();
    private final TrafficCounters counters = new TrafficCounters();

    public Http1UpstreamPool(InetSocketAddress address, EventLoops loops, ProxyLimits limits) {
        this(address, loops, limits, PoolBounds.MODEL_HTTP1);
    }

    public Http1UpstreamPool(InetSocketAddress address, EventLoops loops, ProxyLimits limits, PoolBounds bounds) {
        this.address = address;
        this.loops = loops;
        this.limits = limits;
        this.bounds = bounds;
    }

    @Override
    public Future<UpstreamLease> acquire(EventLoop loop) {
        FixedChannelPool pool = pools.computeIfAbsent(loop, this::newPool);
        counters.request();
        Promise<UpstreamLease> leased = loop.newPromise();
        pool.acquire().addListener(f -> {
            if (!f.isSuccess()) {
                // FixedChannelPool refuses an acquire beyond its pending bound with this exception and message
                boolean tooMany = f.cause() instanceof IllegalStateException e && String.valueOf(e.getMessage()).startsWith("Too many");
                leased.tryFailure(tooMany ? full() : f.cause());
            } else if (!leased.trySuccess(new Lease((Channel) f.getNow(), pool))) {
                pool.release((Channel) f.getNow()); // the request went away meanwhile (a reset stream): unused
            }
        });
        return leased;
    }

    private UpstreamPoolFull full() {
        return new UpstreamPoolFull(describe() + " has all its " + bounds.connections() + " connections busy and "
                + bounds.pending() + " requests waiting for one (per event loop)");
    }

    private FixedChannelPool newPool(EventLoop loop) {
        Bootstrap bootstrap = new Bootstrap().group(loop).channel(loops.channel()).remoteAddress(address)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) limits.connectTimeout().toMillis());
        return new FixedChannelPool(bootstrap, new AbstractChannelPoolHandler() {
            @Override
            public void channelCreated(Channel ch) {
                counters.connectionOpened();
                loops.track(ch);
                ch.pipeline().addLast(new HttpClientCodec(limits.maxRequestLineBytes(), limits.maxHeaderBytes(), 64 * 1024),
                        new UpstreamRelay());
            }
        }, ChannelHealthChecker.ACTIVE, null, -1, bounds.connections(), bounds.pending(), true, true);
    }

    @Override
    public String describe() {
        return "the model server at " + address.getHostString() + ":" + address.getPort();
    }

    @Override
    public TrafficCounters counters() {
        return counters;
    }

    @Override
    public void close() {
        pools.values().forEach(FixedChannelPool::close);
    }

    private record Lease(Channel channel, FixedChannelPool pool) implements UpstreamLease {
        @Override
        public boolean http2() {
            return false;
        }

        @Override
        public void release(boolean reusable) {
            if (!reusable || !channel.isActive()) {
                channel.close();
            } else {
                channel.config().setAutoRead(true); // paused for a slow client: idle in the pool, it must see a close
            }
            pool.release(channel);
        }
    }
}
