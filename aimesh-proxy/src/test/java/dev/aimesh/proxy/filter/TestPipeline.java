package dev.aimesh.proxy.filter;

import java.nio.charset.StandardCharsets;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.ReferenceCountUtil;
import dev.aimesh.proxy.http.ExchangeHandler;
import dev.aimesh.proxy.http.ProxyLimits;
import dev.aimesh.proxy.snapshot.ProxySnapshot;

/**
 * One HTTP/1.1 connection through a real exchange handler (codec, chain, relay) to an embedded upstream: what
 * the upstream got, and what the client was answered. Every buffer is released on {@link #close()}.
 */
public final class TestPipeline implements AutoCloseable {
    private final EmbeddedChannel upstream = new EmbeddedChannel();
    private final EmbeddedChannel downstream;

    /** @param snapshotFor the snapshot to run under, whose chain forwards to the upstream given */
    public TestPipeline(java.util.function.Function<EmbeddedChannel, ProxySnapshot> snapshotFor, PeerIdentity peer) {
        downstream = new EmbeddedChannel(new HttpServerCodec());
        if (peer != null) {
            downstream.attr(PeerIdentity.KEY).set(peer);
        }
        downstream.pipeline().addLast(new ExchangeHandler(TestExchanges.source(snapshotFor.apply(upstream)),
                ProxyLimits.DEFAULTS, false));
    }

    public EmbeddedChannel upstream() {
        return upstream;
    }

    public void send(String raw) {
        downstream.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
    }

    /** The request head the upstream got, or null; the rest of what it got is released. */
    public HttpRequest forwarded() {
        HttpRequest head = null;
        Object msg;
        while ((msg = upstream.readOutbound()) != null) {
            if (msg instanceof HttpRequest r && head == null) {
                head = r;
            }
            ReferenceCountUtil.release(msg);
        }
        return head;
    }

    /** What the client was sent so far, as text. */
    public String answered() {
        ByteBuf out = Unpooled.buffer();
        Object msg;
        while ((msg = downstream.readOutbound()) != null) {
            if (msg instanceof ByteBuf b) {
                out.writeBytes(b);
            }
            ReferenceCountUtil.release(msg);
        }
        String text = out.toString(StandardCharsets.ISO_8859_1);
        out.release();
        return text;
    }

    @Override
    public void close() {
        downstream.finishAndReleaseAll();
        upstream.finishAndReleaseAll();
    }
}
