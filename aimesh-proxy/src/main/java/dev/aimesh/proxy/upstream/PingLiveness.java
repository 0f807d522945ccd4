package dev.aimesh.proxy.upstream;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds an HTTP/2 connection whose peer vanished without closing it (a frozen process, a host or path gone,
 * a socket left open unread): when streams are open and nothing has been read for {@code quiet}, it sends a
 * PING, which the peer's codec answers at once whatever its streams wait for; if nothing at all arrives
 * within another {@code quiet}, the connection is closed and its streams fail instead of waiting for the
 * response timeout. Sits after the HTTP/2 codec; {@link #idleReads} goes first in the pipeline.
 */
final class PingLiveness extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(PingLiveness.class);
    private final Duration quiet;
    private final String peer;
    /** A PING went out in this quiet spell (reads end the spell: the next idle event is a first one again). */
    private boolean pinged;

    PingLiveness(Duration quiet, String peer) {
        this.quiet = quiet;
        this.peer = peer;
    }

    /** Raises the reader-idle events this handler acts on; must see every byte read. */
    static IdleStateHandler idleReads(Duration quiet) {
        return new IdleStateHandler(quiet.toMillis(), 0, 0, TimeUnit.MILLISECONDS);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (!(event instanceof IdleStateEvent idle)) {
            ctx.fireUserEventTriggered(event);
            return;
        }
        if (idle.isFirst()) {
            pinged = false;
        } else if (pinged) {
            log.warn("{} answered nothing, not even a PING, within {} ms: closing the connection and failing its streams",
                    peer, 2 * quiet.toMillis());
            ctx.close();
            return;
        }
        Http2FrameCodec codec = ctx.pipeline().get(Http2FrameCodec.class);
        if (codec != null && codec.connection().numActiveStreams() > 0) {
            pinged = true;
            ctx.writeAndFlush(new DefaultHttp2PingFrame(System.nanoTime()));
        }
    }
}
