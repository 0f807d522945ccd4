package dev.aimesh.proxy.http;

import java.util.Optional;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handler of an HTTP/2 stream's pipeline before its exchange: a malformed request
 * (see {@link Http2RequestHeads}) is reset with PROTOCOL_ERROR, and a stream-state error Netty's codec
 * finds (DATA on a half-closed stream, …) with the code the codec chose (STREAM_CLOSED, …), never with the
 * CANCEL that closing the stream would send; neither reaches the router, so neither costs an upstream
 * connection. A method that is well formed but unknown gets the 400 HTTP/1.1 gives it. What follows a
 * refusal on the stream is dropped.
 */
public final class Http2StreamGuard extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(Http2StreamGuard.class);
    private boolean headersSeen;
    private boolean refused;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof Http2HeadersFrame frame) {
            boolean first = !headersSeen;
            headersSeen = true;
            Optional<String> problem = first ? Http2RequestHeads.problemWithRequest(frame.headers())
                    : Http2RequestHeads.problemWithTrailers(frame.headers(), frame.isEndStream());
            if (problem.isPresent()) {
                reset(ctx, Http2Error.PROTOCOL_ERROR, problem.get());
                return;
            }
            CharSequence method = frame.headers().method();
            if (first && (!KnownMethods.contains(method) || "CONNECT".contentEquals(method))) {
                refused = true;
                answer(ctx, frame.isEndStream(), "CONNECT".contentEquals(method) ? "bad-target" : "malformed-request",
                        "CONNECT".contentEquals(method) ? "the proxy does not tunnel (CONNECT)"
                                : "malformed request: unknown method '" + method + "'");
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Netty's multiplexer hands a stream its codec's StreamException, then closes it forcibly (with CANCEL):
        // the reset written here goes first, and the codec sends no second one.
        if (cause instanceof Http2Exception.StreamException e) {
            reset(ctx, e.error(), e.getMessage());
            return;
        }
        if (cause instanceof Http2FrameStreamException e) {
            reset(ctx, e.error(), e.getMessage());
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    private void reset(ChannelHandlerContext ctx, Http2Error error, String why) {
        refused = true;
        log.debug("reset HTTP/2 stream {} with {}: {}", ctx.channel(), error, why);
        ctx.writeAndFlush(new DefaultHttp2ResetFrame(error));
        ctx.close(); // the stream is closed already: no second reset goes out
    }

    /** The 400 HTTP/1.1 gives; a request still being sent is then told to stop (NO_ERROR). */
    private static void answer(ChannelHandlerContext ctx, boolean requestEnded, String reason, String message) {
        ErrorResponses.writeHttp2(ctx, ctx.alloc(), HttpResponseStatus.BAD_REQUEST, reason, message);
        if (!requestEnded) {
            ctx.write(new DefaultHttp2ResetFrame(Http2Error.NO_ERROR));
        }
        ctx.flush();
        ctx.close();
    }
}
