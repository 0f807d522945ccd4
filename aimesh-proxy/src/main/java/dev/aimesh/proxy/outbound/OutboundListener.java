package dev.aimesh.proxy.outbound;

import java.net.InetSocketAddress;
import io.netty.channel.Channel;
import dev.aimesh.proxy.http.CleartextProtocols;
import dev.aimesh.proxy.http.ProxyLimits;
import dev.aimesh.proxy.net.EventLoops;
import dev.aimesh.proxy.net.Listeners;
import dev.aimesh.proxy.net.TrafficCounters;
import dev.aimesh.proxy.snapshot.SnapshotHolder;

/**
 * Where the local app sends its calls: plain HTTP on loopback, HTTP/1.1 or HTTP/2 with prior knowledge
 * (h2c), told apart by the first bytes.
 */
public final class OutboundListener implements AutoCloseable {
    private final Channel server;
    private final TrafficCounters counters = new TrafficCounters();

    public OutboundListener(InetSocketAddress listen, EventLoops loops, SnapshotHolder.Source chains, ProxyLimits limits) {
        this.server = Listeners.bind(listen, loops, limits.idleTimeout(), counters,
                ch -> ch.pipeline().addLast(new CleartextProtocols(chains, limits)));
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    /** Connections accepted (requests are counted by the upstreams they go to). */
    public TrafficCounters counters() {
        return counters;
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
    }
}
