package dev.aimesh.proxy.http;

import java.nio.charset.StandardCharsets;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOutboundInvoker;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;

/**
 * Responses the proxy writes itself. The body says what happened in one line; {@code x-aimesh-reason}
 * carries a stable code for scripts and logs.
 */
public final class ErrorResponses {
    public static final String REASON_HEADER = "x-aimesh-reason";

    private ErrorResponses() {}

    public static FullHttpResponse of(ByteBufAllocator alloc, HttpResponseStatus status, String code, String message) {
        return of(alloc, status, code, message, java.util.Map.of());
    }

    /** With {@code headers} besides (a limit's {@code Retry-After}). */
    public static FullHttpResponse of(ByteBufAllocator alloc, HttpResponseStatus status, String code, String message,
            java.util.Map<String, String> headers) {
        byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, alloc.buffer(body.length).writeBytes(body));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN + "; charset=utf-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(REASON_HEADER, code);
        headers.forEach(response.headers()::set);
        return response;
    }

    /**
     * The same answer on an HTTP/2 stream: HEADERS, then the body in one DATA frame that ends the stream (not flushed).
     * Returns the last write.
     */
    public static ChannelFuture writeHttp2(ChannelOutboundInvoker out, ByteBufAllocator alloc, HttpResponseStatus status,
            String code, String message) {
        return writeHttp2(out, alloc, status, code, message, java.util.Map.of());
    }

    public static ChannelFuture writeHttp2(ChannelOutboundInvoker out, ByteBufAllocator alloc, HttpResponseStatus status,
            String code, String message, java.util.Map<String, String> extra) {
        byte[] text = (message + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuf body = alloc.buffer(text.length).writeBytes(text);
        Http2Headers headers = new DefaultHttp2Headers().status(status.codeAsText());
        headers.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN + "; charset=utf-8");
        headers.setInt(HttpHeaderNames.CONTENT_LENGTH, text.length);
        headers.set(REASON_HEADER, code);
        extra.forEach((name, value) -> headers.set(name.toLowerCase(java.util.Locale.ROOT), value));
        out.write(new DefaultHttp2HeadersFrame(headers, false));
        return out.write(new DefaultHttp2DataFrame(body, true));
    }
}
