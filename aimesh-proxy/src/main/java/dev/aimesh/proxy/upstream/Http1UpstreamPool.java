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
import io.netty.channel.pool.SimpleChannelPool;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import dev.aimesh.proxy.http.ProxyLimits;
import dev.aimesh.proxy.http.UpstreamConnector;
import dev.aimesh.proxy.http.UpstreamLease;
import dev.aimesh.proxy.net.EventLoops;
import dev.aimesh.proxy.net.TrafficCounters;

/**
 * Keep-alive HTTP/1.1 connections to the local model server, pooled per event loop so that a
 * connection is only ever used from the thread of the exchange that holds it.
 */
public final class Http1UpstreamPool implements UpstreamConnector, AutoCloseable {
    private final InetSocketAddress address;
    private final EventLoops loops;
    private final ProxyLimits limits;
    private final Map<EventLoop, SimpleChannelPool> pools = new ConcurrentHashMap<>();
    private final TrafficCounters counters = new TrafficCounters();

    public Http1UpstreamPool(InetSocketAddress address, EventLoops loops, ProxyLimits limits) {
        this.address = address;
        this.loops = loops;
        this.limits = limits;
    }

    @Override
    public Future<UpstreamLease> acquire(EventLoop loop) {
        SimpleChannelPool pool = pools.computeIfAbsent(loop, this::newPool);
        counters.request();
        Promise<UpstreamLease> leased = loop.newPromise();
        pool.acquire().addListener(f -> {
            if (f.isSuccess()) {
                leased.setSuccess(new Lease((Channel) f.getNow(), pool));
            } else {
                leased.setFailure(f.cause());
            }
        });
        return leased;
    }

    private SimpleChannelPool newPool(EventLoop loop) {
        Bootstrap bootstrap = new Bootstrap().group(loop).channel(loops.channel()).remoteAddress(address)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) limits.connectTimeout().toMillis());
        return new SimpleChannelPool(bootstrap, new AbstractChannelPoolHandler() {
            @Override
            public void channelCreated(Channel ch) {
                counters.connectionOpened();
                loops.track(ch);
                ch.pipeline().addLast(new HttpClientCodec(limits.maxRequestLineBytes(), limits.maxHeaderBytes(), 64 * 1024));
            }
        }, ChannelHealthChecker.ACTIVE, true, true);
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
        pools.values().forEach(SimpleChannelPool::close);
    }

    private record Lease(Channel channel, SimpleChannelPool pool) implements UpstreamLease {
        @Override
        public boolean http2() {
            return false;
        }

        @Override
        public void release(boolean reusable) {
            if (!reusable || !channel.isActive()) {
                channel.close();
            }
            pool.release(channel);
        }
    }
}
