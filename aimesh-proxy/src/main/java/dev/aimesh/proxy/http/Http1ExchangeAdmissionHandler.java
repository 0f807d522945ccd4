package dev.aimesh.proxy.http;

import java.util.Optional;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * Just before the {@link ExchangeHandler} of an inbound HTTP/1.1 connection: the connection holds one slot of
 * its {@link StreamAdmission} while an exchange is under way (from a request's head until its final response is
 * written, pipelined requests included) and none while it idles between requests; the slot goes back when the
 * last response is written or the connection closes, whichever comes first. A request refused a slot is
 * answered {@code 503 peer-stream-limit}, naming the limit, and the connection closed; nothing after this
 * handler sees it.
 */
final class Http1ExchangeAdmissionHandler extends ChannelDuplexHandler {
    static final String REASON = "peer-stream-limit";

    private final StreamAdmission admission;
    private StreamAdmission.Slot slot;
    /** Requests read whose final response has not been written yet. */
    private int unanswered;
    private boolean refused;
    private boolean inInterim;

    Http1ExchangeAdmissionHandler(StreamAdmission admission) {
        this.admission = admission;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest) {
            if (slot == null) {
                Optional<StreamAdmission.Slot> admitted = admission.admit("http/1.1");
                if (admitted.isEmpty()) {
                    ReferenceCountUtil.release(msg);
                    refuse(ctx);
                    return;
                }
                slot = admitted.get();
            }
            unanswered++;
        }
        ctx.fireChannelRead(msg);
    }

    private void refuse(ChannelHandlerContext ctx) {
        refused = true;
        ctx.channel().config().setAutoRead(false);
        FullHttpResponse response = ErrorResponses.of(ctx.alloc(), HttpResponseStatus.SERVICE_UNAVAILABLE, REASON,
                admission.refusal());
        response.headers().set(HttpHeaderNames.CONNECTION, "close");
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response) {
            inInterim = response.status().codeClass() == HttpStatusClass.INFORMATIONAL; // 100 Continue is no answer
        }
        boolean answered = msg instanceof LastHttpContent && !inInterim;
        if (msg instanceof LastHttpContent) {
            inInterim = false;
        }
        ctx.write(msg, promise);
        if (answered && unanswered > 0 && --unanswered == 0) {
            release();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        release();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        release();
    }

    private void release() {
        if (slot != null) {
            slot.release();
            slot = null;
        }
    }
}
