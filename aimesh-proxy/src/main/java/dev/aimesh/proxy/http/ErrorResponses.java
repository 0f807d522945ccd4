package dev.aimesh.proxy.http;

import java.nio.charset.StandardCharsets;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Responses the proxy writes itself. The body says what happened in one line; {@code x-aimesh-reason}
 * carries a stable code for scripts and logs.
 */
public final class ErrorResponses {
    public static final String REASON_HEADER = "x-aimesh-reason";

    private ErrorResponses() {}

    public static FullHttpResponse of(ByteBufAllocator alloc, HttpResponseStatus status, String code, String message) {
        byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, alloc.buffer(body.length).writeBytes(body));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN + "; charset=utf-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(REASON_HEADER, code);
        return response;
    }
}
