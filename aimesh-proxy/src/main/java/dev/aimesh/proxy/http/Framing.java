package dev.aimesh.proxy.http;

import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;

/** How a message's body is delimited on the next hop, which may speak another HTTP version than the last. */
final class Framing {
    private Framing() {}

    /** For an HTTP/1.1 hop: a known length, or chunked; never "until the connection closes". */
    static void forHttp1(HttpMessage message) {
        if (HttpUtil.isContentLengthSet(message) || HttpUtil.isTransferEncodingChunked(message) || bodiless(message)) {
            return;
        }
        if (message instanceof FullHttpMessage full) {
            HttpUtil.setContentLength(message, full.content().readableBytes());
        } else {
            HttpUtil.setTransferEncodingChunked(message, true);
        }
    }

    /** For an HTTP/2 hop: DATA frames delimit the body; connection-specific framing must go. */
    static void forHttp2(HttpMessage message) {
        message.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
        if (message.headers().containsValue(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS, true)) {
            return;
        }
        message.headers().remove(HttpHeaderNames.TE);
    }

    private static boolean bodiless(HttpMessage message) {
        if (!(message instanceof HttpResponse response)) {
            return false;
        }
        int code = response.status().code();
        return code == 204 || code == 304 || (code >= 100 && code < 200);
    }
}
