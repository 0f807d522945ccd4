package dev.aimesh.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import dev.aimesh.proxy.filter.HeaderMap;
import dev.aimesh.proxy.headers.Http1Headers;
import dev.aimesh.proxy.headers.Http2HeaderMap;

/**
 * A part of a message's body as the hop it came on carries it: an HTTP/1 {@code HttpContent} (the last one with
 * the trailers), or an HTTP/2 DATA frame or the trailing HEADERS that end the stream. The exchange reads parts
 * through these, whatever their version, and passes them on unconverted when the next hop speaks the same.
 */
final class BodyParts {
    private BodyParts() {}

    static boolean isPart(Object msg) {
        return msg instanceof HttpContent || msg instanceof Http2DataFrame || msg instanceof Http2HeadersFrame;
    }

    /** Whether the part ends the message (HTTP/2 trailers always do: the stream guard refuses others). */
    static boolean last(Object part) {
        return part instanceof LastHttpContent || part instanceof Http2HeadersFrame
                || part instanceof Http2DataFrame data && data.isEndStream();
    }

    static ByteBuf content(Object part) {
        if (part instanceof HttpContent content) {
            return content.content();
        }
        return part instanceof Http2DataFrame data ? data.content() : Unpooled.EMPTY_BUFFER;
    }

    /** The trailers the part carries, as filters see them; null when it carries none. */
    static HeaderMap trailers(Object part) {
        if (part instanceof LastHttpContent last) {
            return last.trailingHeaders().isEmpty() ? null : new Http1Headers(last.trailingHeaders());
        }
        return part instanceof Http2HeadersFrame trailers ? new Http2HeaderMap(trailers.headers()) : null;
    }

    /**
     * A last part with {@code chunk} as its bytes, in the hop's version, in place of {@code part} (released; its
     * trailers, if it had any, go with it): the message ends there.
     */
    static Object ending(Object part, ByteBuf chunk) {
        if (last(part) && !(part instanceof Http2HeadersFrame)) {
            return replace(part, chunk);
        }
        boolean http1 = part instanceof HttpContent;
        io.netty.util.ReferenceCountUtil.release(part);
        return http1 ? new io.netty.handler.codec.http.DefaultLastHttpContent(chunk)
                : new io.netty.handler.codec.http2.DefaultHttp2DataFrame(chunk, true);
    }

    /** The part with {@code chunk} as its bytes (the part's own released); trailers only stay as they are. */
    static Object replace(Object part, ByteBuf chunk) {
        if (part instanceof HttpContent content) {
            HttpContent replaced = content.replace(chunk);
            content.release();
            return replaced;
        }
        Http2DataFrame data = (Http2DataFrame) part;
        Http2DataFrame replaced = data.replace(chunk);
        data.release();
        return replaced;
    }
}
