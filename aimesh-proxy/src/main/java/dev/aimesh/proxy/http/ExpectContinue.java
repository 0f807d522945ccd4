package dev.aimesh.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import dev.aimesh.proxy.filter.FilterDecision;
import dev.aimesh.proxy.filter.HeaderMap;

/**
 * {@code Expect: 100-continue} is answered by the proxy, never passed on: 100 Continue once the request may
 * go on (its routing needs or takes the body), its final refusal otherwise, so a refused body is never sent.
 * The upstream never sees the header, so it sends no interim response the relay would take for the final one.
 * Another expectation is refused with 417 (RFC 9110 10.1.1).
 */
final class ExpectContinue {
    private ExpectContinue() {}

    /** A refusal for an expectation the proxy cannot meet, or null; after it only a 100-continue stays. */
    static FilterDecision.Respond check(HeaderMap headers, boolean http10) {
        String expect = headers.get(HttpHeaderNames.EXPECT);
        if (expect == null || http10) {
            headers.remove(HttpHeaderNames.EXPECT); // an HTTP/1.0 expectation is ignored (RFC 9110 10.1.1)
            return null;
        }
        if (headers.getAll(HttpHeaderNames.EXPECT).size() == 1
                && HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect.strip())) {
            return null;
        }
        return new FilterDecision.Respond(HttpResponseStatus.EXPECTATION_FAILED.code(), "expectation-failed",
                "the expectation '" + expect + "' is not supported (only 100-continue is)");
    }

    /** Whether the client waits for 100 Continue before it sends its body (once {@link #check} passed). */
    static boolean expected(HeaderMap headers) {
        return headers.contains(HttpHeaderNames.EXPECT);
    }

    /** The request goes on: the client may send its body now. */
    static void proceed(ChannelHandlerContext ctx, HeaderMap headers, boolean bodyStillToCome, boolean http2) {
        if (headers.contains(HttpHeaderNames.EXPECT)) {
            headers.remove(HttpHeaderNames.EXPECT);
            if (bodyStillToCome) {
                ctx.writeAndFlush(http2 ? new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("100"), false)
                        : new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
            }
        }
    }
}
