package dev.aimesh.proxy.http;

import dev.aimesh.proxy.snapshot.SnapshotHolder;

import java.util.List;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;

/**
 * For a plain-text connection: reads just enough to see the HTTP/2 connection preface (h2c with prior
 * knowledge), then installs the HTTP/2 or the HTTP/1.1 pipeline and leaves.
 */
public final class CleartextProtocols extends ByteToMessageDecoder {
    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();
    private final SnapshotHolder.Source chains;
    private final ProxyLimits limits;

    public CleartextProtocols(SnapshotHolder.Source chains, ProxyLimits limits) {
        this.chains = chains;
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
            ServerPipelines.http2(ctx.pipeline(), chains, limits);
        } else {
            ServerPipelines.http1(ctx.pipeline(), chains, limits);
        }
        ctx.pipeline().remove(this); // hands the bytes read so far to the new pipeline
    }
}
