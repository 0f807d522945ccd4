package dev.aimesh.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2Exception;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last handler of a downstream HTTP/2 connection: Netty's codec shows a connection error (a bad preface, a
 * stream ID of the wrong parity, …) here before it answers GOAWAY with the error's code and closes, so this
 * only logs it, in one line instead of the stack trace Netty prints for an unhandled exception; closing here
 * would send GOAWAY NO_ERROR first. Anything else ends the connection.
 */
public final class Http2ConnectionErrors extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(Http2ConnectionErrors.class);

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable t = cause;
        while (!(t instanceof Http2Exception) && t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        if (t instanceof Http2Exception h2) {
            log.warn("closing the HTTP/2 connection from {} ({}): {}", ctx.channel().remoteAddress(), h2.error(), h2.getMessage());
            return;
        }
        log.warn("closed the HTTP/2 connection from {}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
