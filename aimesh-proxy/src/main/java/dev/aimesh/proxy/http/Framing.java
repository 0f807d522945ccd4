package dev.aimesh.proxy.http;

import java.util.Set;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/** How a message's body is delimited on an HTTP/1.1 hop (an HTTP/2 hop delimits it with frames: {@link HttpTranslation}). */
final class Framing {
    /** Methods whose requests carry content by their semantics: an empty one still says so (RFC 9110 8.6). */
    private static final Set<HttpMethod> CONTENT_METHODS = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH);

    private Framing() {}

    /**
     * For an HTTP/1.1 hop: a known length, or chunked; never "until the connection closes". A request is sent as
     * HTTP/1.1 whatever the caller spoke (the proxy is this hop's client), and only framed when it has a body: an
     * HTTP/1 request without Content-Length or Transfer-Encoding has none (RFC 9112 6.3); one from HTTP/2 that
     * streams its body arrives marked chunked by the codec.
     */
    static void forHttp1(HttpMessage message) {
        if (message instanceof HttpRequest request) {
            request.setProtocolVersion(HttpVersion.HTTP_1_1);
        }
        if (HttpUtil.isContentLengthSet(message) || HttpUtil.isTransferEncodingChunked(message) || bodiless(message)) {
            return;
        }
        if (message instanceof FullHttpMessage full) {
            int length = full.content().readableBytes();
            if (length > 0 || !(message instanceof HttpRequest request) || CONTENT_METHODS.contains(request.method())) {
                HttpUtil.setContentLength(message, length);
            }
        } else if (message instanceof HttpResponse) {
            HttpUtil.setTransferEncodingChunked(message, true);
        }
    }

    /**
     * For a response to an HTTP/1.0 client, which does not know chunked (RFC 9112 7.1): the body goes as it
     * comes, delimited by the end of the connection unless its length is known. Returns whether it is.
     */
    static boolean forHttp10(HttpResponse response) {
        response.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
        if (HttpUtil.isContentLengthSet(response) || bodiless(response)) {
            return true;
        }
        if (response instanceof FullHttpMessage full) {
            HttpUtil.setContentLength(response, full.content().readableBytes());
            return true;
        }
        return false;
    }

    private static boolean bodiless(HttpMessage message) {
        if (!(message instanceof HttpResponse response)) {
            return false;
        }
        int code = response.status().code();
        return code == 204 || code == 304 || (code >= 100 && code < 200);
    }
}
