package dev.aimesh.proxy.http;

import java.util.List;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOutboundInvoker;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.handler.ssl.SslHandler;

/**
 * HTTP/1.1 ↔ HTTP/2 translation of an exchange's parts (heads, body parts, trailers), done once and only where
 * the exchange's two hops speak different versions: between two HTTP/2 hops the frames pass as they came. A
 * translated part takes over the buffer of the part it came from; nothing is copied.
 */
final class HttpTranslation {
    private HttpTranslation() {}

    /** An HTTP/1 request's head as HTTP/2 HEADERS, with the {@code :scheme} of the hop it goes on. */
    static Http2Headers requestHeaders(HttpRequest request, CharSequence scheme) {
        request.headers().set(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(), scheme);
        return HttpConversionUtil.toHttp2Headers(request, true);
    }

    /**
     * HTTP/2 request HEADERS as an HTTP/1 request: whole and bodiless when the stream ended with them, else marked
     * chunked unless it has a Content-Length (a streamed body has no length known in advance). A request that
     * announces trailers ({@code Trailer}) is sent chunked even with a length: HTTP/1.1 carries trailers only so.
     */
    static HttpRequest request(Http2Headers headers, boolean endStream) throws Http2Exception {
        HttpRequest request = endStream ? HttpConversionUtil.toFullHttpRequest(0, headers, Unpooled.EMPTY_BUFFER, true)
                : HttpConversionUtil.toHttpRequest(0, headers, true);
        if (announcedTrailers(headers, request) && !endStream) {
            request.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
        }
        streamed(request, endStream);
        return request;
    }

    static Http2Headers responseHeaders(HttpResponse response) {
        return HttpConversionUtil.toHttp2Headers(response, true);
    }

    /** HTTP/2 response HEADERS as an HTTP/1 response, as {@link #request} does for requests. */
    static HttpResponse response(Http2Headers headers, boolean endStream) throws Http2Exception {
        HttpResponse response = endStream ? HttpConversionUtil.toFullHttpResponse(0, headers, Unpooled.EMPTY_BUFFER, true)
                : HttpConversionUtil.toHttpResponse(0, headers, true);
        announcedTrailers(headers, response);
        streamed(response, endStream);
        return response;
    }

    /** Carries the {@code Trailer} header over, which Netty's conversion drops; whether there was one. */
    private static boolean announcedTrailers(Http2Headers headers, HttpMessage message) {
        List<CharSequence> announced = headers.getAll(HttpHeaderNames.TRAILER);
        if (announced.isEmpty()) {
            return false;
        }
        message.headers().set(HttpHeaderNames.TRAILER, announced);
        return true;
    }

    private static void streamed(HttpMessage message, boolean endStream) {
        HopByHop.stripInternal(message.headers()); // the conversion's x-http2-* headers describe this hop only
        if (!endStream && !HttpUtil.isContentLengthSet(message)) {
            message.headers().add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
    }

    /**
     * Writes an HTTP/1 head (and the body a whole message carries) to an HTTP/2 hop as frames: HEADERS, which end
     * the stream when nothing follows. Returns the last write.
     */
    static ChannelFuture writeHead(ChannelOutboundInvoker out, HttpMessage head, Http2Headers headers) {
        if (!(head instanceof FullHttpMessage full)) {
            return out.write(new DefaultHttp2HeadersFrame(headers, false));
        }
        boolean bodiless = !full.content().isReadable() && full.trailingHeaders().isEmpty();
        ChannelFuture written = out.write(new DefaultHttp2HeadersFrame(headers, bodiless));
        if (bodiless) {
            full.release();
            return written;
        }
        return writeBody(out, full);
    }

    /** Writes an HTTP/1 body part to an HTTP/2 hop: DATA, then HEADERS for trailers. Returns the last write. */
    static ChannelFuture writeBody(ChannelOutboundInvoker out, HttpContent part) {
        if (!(part instanceof LastHttpContent last)) {
            return out.write(new DefaultHttp2DataFrame(part.content(), false));
        }
        boolean trailers = !last.trailingHeaders().isEmpty();
        ChannelFuture written = null;
        if (last.content().isReadable() || !trailers) {
            written = out.write(new DefaultHttp2DataFrame(last.content(), !trailers));
        } else {
            last.release();
        }
        if (trailers) {
            written = out.write(new DefaultHttp2HeadersFrame(HttpConversionUtil.toHttp2Headers(last.trailingHeaders(), true), true));
        }
        return written;
    }

    /** An HTTP/2 DATA frame or trailing HEADERS as an HTTP/1 body part. */
    static HttpContent body(Http2StreamFrame frame) {
        if (frame instanceof Http2DataFrame data) {
            return data.isEndStream() ? new DefaultLastHttpContent(data.content()) : new DefaultHttpContent(data.content());
        }
        LastHttpContent last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
        try {
            HttpConversionUtil.addHttp2ToHttpHeaders(0, ((Http2HeadersFrame) frame).headers(), last.trailingHeaders(),
                    HttpVersion.HTTP_1_1, true, false);
        } catch (Http2Exception e) {
            throw new IllegalArgumentException("trailers that HTTP/1.1 cannot carry: " + e.getMessage(), e);
        }
        return last;
    }

    /**
     * A frame read from one stream, ready to be written on another: the stream it names is cleared, as a stream
     * channel refuses a frame of another stream (and sets its own).
     */
    static Http2StreamFrame relayed(Http2StreamFrame frame) {
        return frame.stream(null);
    }

    /** {@code https} when the connection under {@code channel} (a stream's parent, or itself) is TLS. */
    static String scheme(Channel channel) {
        Channel connection = channel instanceof Http2StreamChannel stream ? stream.parent() : channel;
        return connection.pipeline().get(SslHandler.class) != null ? "https" : "http";
    }
}
