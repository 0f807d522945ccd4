package dev.aimesh.proxy.http;

import java.util.List;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http2.HttpConversionUtil.ExtensionHeaderNames;
import io.netty.util.AsciiString;
import dev.aimesh.proxy.filter.HeaderMap;

/**
 * Headers that belong to one connection and must not be forwarded (RFC 9110 7.6.1). {@code Trailer} is not one:
 * it announces the message's trailers to its recipient, whatever the hops.
 */
public final class HopByHop {
    private static final List<AsciiString> NAMES = List.of(HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE,
            HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.PROXY_AUTHORIZATION, HttpHeaderNames.PROXY_CONNECTION,
            HttpHeaderNames.TE, HttpHeaderNames.UPGRADE);
    /**
     * Netty's HTTP/2 to HTTP/1 conversion carries the stream's ID, its :scheme and more in these headers; they
     * describe one hop's stream, and from a client they could steer the conversion on the next hop.
     */
    static final List<AsciiString> INTERNAL = java.util.Arrays.stream(ExtensionHeaderNames.values())
            .map(ExtensionHeaderNames::text).toList();

    private HopByHop() {}

    /**
     * Removes hop-by-hop headers, including those the Connection header names, and the internal ones of
     * HTTP/2 conversion ({@link #stripInternal}). Transfer-Encoding is kept:
     * the codecs re-frame the body for the next hop. {@code te: trailers} survives, as gRPC needs it.
     */
    public static void strip(HttpHeaders headers) {
        for (String listed : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String name : listed.split(",")) {
                headers.remove(name.strip());
            }
        }
        boolean trailers = headers.containsValue(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS, true);
        for (AsciiString name : NAMES) {
            headers.remove(name);
        }
        stripInternal(headers);
        if (trailers) {
            headers.set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
        }
    }

    /** {@link #strip(HttpHeaders)} on a header block as filters see it, of either HTTP version. */
    public static void strip(HeaderMap headers) {
        for (String listed : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String name : listed.split(",")) {
                headers.remove(name.strip());
            }
        }
        boolean trailers = false;
        for (String te : headers.getAll(HttpHeaderNames.TE)) {
            for (String value : te.split(",")) {
                trailers |= value.strip().equalsIgnoreCase("trailers");
            }
        }
        for (AsciiString name : NAMES) {
            headers.remove(name);
        }
        if (!headers.isEmpty()) {
            for (AsciiString name : INTERNAL) {
                headers.remove(name);
            }
        }
        if (trailers) {
            headers.set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
        }
    }

    /** Removes the {@code x-http2-*} headers of Netty's HTTP/2 conversion. */
    public static void stripInternal(HttpHeaders headers) {
        if (headers.isEmpty()) {
            return;
        }
        for (AsciiString name : INTERNAL) {
            headers.remove(name);
        }
    }
}
