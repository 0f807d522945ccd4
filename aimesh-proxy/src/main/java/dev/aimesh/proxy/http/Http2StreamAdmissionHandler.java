package dev.aimesh.proxy.http;

import java.util.Optional;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.util.ReferenceCountUtil;

/**
 * First handler of an inbound HTTP/2 stream's pipeline: takes the stream's slot from its {@link StreamAdmission}
 * when the stream opens and gives it back when the stream channel closes, which it does once whichever way the
 * stream ends (both sides done, reset by either side, the connection gone, an upstream failure answered). A
 * stream refused a slot is reset with {@code REFUSED_STREAM} (RFC 9113 8.7: the request was not processed, so
 * a client may retry it) before anything reads its headers: it reaches no policy and no upstream.
 */
final class Http2StreamAdmissionHandler extends ChannelInboundHandlerAdapter {
    private final StreamAdmission admission;
    private StreamAdmission.Slot slot;
    private boolean refused;

    Http2StreamAdmissionHandler(StreamAdmission admission) {
        this.admission = admission;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Optional<StreamAdmission.Slot> admitted = admission.admit("h2");
        if (admitted.isEmpty()) {
            refused = true;
            ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.REFUSED_STREAM));
            ctx.close(); // the stream is closed already: no second reset goes out
            return;
        }
        slot = admitted.get();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        release();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        release(); // the pipeline torn down without a close: the slot must not outlive it
    }

    private void release() {
        if (slot != null) {
            slot.release();
            slot = null;
        }
    }
}
