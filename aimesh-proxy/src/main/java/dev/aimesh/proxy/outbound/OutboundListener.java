package dev.aimesh.proxy.outbound;

import java.net.InetSocketAddress;
import java.util.List;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import dev.aimesh.proxy.http.ProxyLimits;
import dev.aimesh.proxy.http.RequestRouter;
import dev.aimesh.proxy.http.ServerPipelines;
import dev.aimesh.proxy.net.EventLoops;
import dev.aimesh.proxy.net.Listeners;
import dev.aimesh.proxy.net.TrafficCounters;

/**
 * Where the local app sends its calls: plain HTTP on loopback, HTTP/1.1 or HTTP/2 with prior knowledge
 * (h2c), told apart by the first bytes.
 */
public final class OutboundListener implements AutoCloseable {
    private final Channel server;
    private final TrafficCounters counters = new TrafficCounters();

    public OutboundListener(InetSocketAddress listen, EventLoops loops, RequestRouter router, ProxyLimits limits) {
        this.server = Listeners.bind(listen, loops, limits.idleTimeout(), counters,
                ch -> ch.pipeline().addLast(new ProtocolDetector(router, limits)));
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

    /** Reads just enough to see the HTTP/2 connection preface, then installs the right pipeline and leaves. */
    private static final class ProtocolDetector extends ByteToMessageDecoder {
        private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();
        private final RequestRouter router;
        private final ProxyLimits limits;

        ProtocolDetector(RequestRouter router, ProxyLimits limits) {
            this.router = router;
            this.limits = limits;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            int n = Math.min(in.readableBytes(), PREFACE.readableBytes());
            boolean prefixOfPreface = ByteBufUtil.equals(in, in.readerIndex(), PREFACE, 0, n);
            if (prefixOfPreface && n < PREFACE.readableBytes()) {
                return; // could still be HTTP/2: wait for more
            }
            if (prefixOfPreface) {
                ServerPipelines.http2(ctx.pipeline(), router, limits);
            } else {
                ServerPipelines.http1(ctx.pipeline(), router, limits);
            }
            ctx.pipeline().remove(this); // hands the bytes read so far to the new pipeline
        }
    }
}
