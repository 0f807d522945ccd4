package dev.aimesh.proxy.http;

import java.util.List;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

/** Headers that belong to one connection and must not be forwarded (RFC 9110 7.6.1). */
public final class HopByHop {
    private static final List<AsciiString> NAMES = List.of(HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE,
            HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.PROXY_AUTHORIZATION, HttpHeaderNames.PROXY_CONNECTION,
            HttpHeaderNames.TE, HttpHeaderNames.TRAILER, HttpHeaderNames.UPGRADE);

    private HopByHop() {}

    /**
     * Removes hop-by-hop headers, including those the Connection header names. Transfer-Encoding is kept:
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
        if (trailers) {
            headers.set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
        }
    }
}
