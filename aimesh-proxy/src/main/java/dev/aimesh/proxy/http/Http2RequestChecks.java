package dev.aimesh.proxy.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http2.Http2Headers;
import dev.aimesh.proxy.filter.FilterDecision;

/**
 * What the proxy checks on an HTTP/2 request's HEADERS before any filter sees them, beyond the well-formedness
 * {@link Http2StreamGuard} already enforced: HTTP/1.1's request-line limits on {@code :path} (as
 * {@link StrictHttp1Guard} holds an HTTP/1.1 request target to them), header names with an underscore (dropped or
 * refused, as {@link ProxyLimits#underscoreHeaders()} says), a Host header that contradicts {@code :authority}, and
 * the {@code x-http2-*} names that steer Netty's HTTP/2 to HTTP/1.1 conversion on a later hop (removed). A
 * refusal is a value the exchange answers; the request reaches no filter and no upstream.
 */
final class Http2RequestChecks {
    private Http2RequestChecks() {}

    /** Why the request is refused, or null; removes on the way what must not pass. */
    static FilterDecision.Respond check(Http2Headers headers, ProxyLimits limits) {
        CharSequence path = headers.path();
        if (path != null) {
            if (path.length() > limits.maxRequestLineBytes()) {
                return new FilterDecision.Respond(414, "request-line-too-long",
                        "the request line is longer than " + limits.maxRequestLineBytes() + " bytes");
            }
            for (int i = 0; i < path.length(); i++) {
                char c = path.charAt(i);
                if (c <= 0x20 || c >= 0x7f) {
                    return malformed("a control, space or non-ASCII byte in the request target");
                }
            }
        }
        if (limits.underscoreHeaders() == ProxyLimits.UnderscoreHeaders.REFUSE) {
            for (Map.Entry<CharSequence, CharSequence> header : headers) {
                if (RequestHeadChecksHandler.hasUnderscore(header.getKey())) {
                    return malformed("the header name '" + StrictHttp1Guard.printable(header.getKey().toString())
                            + "' has an underscore (refused by this proxy's headers-with-underscores setting)");
                }
            }
        }
        removeForbidden(headers);
        return checkHost(headers);
    }

    /**
     * Removes the names with an underscore and the {@code x-http2-*} ones; what trailers get, as they come with the
     * request under way, too late to refuse it.
     */
    static void removeForbidden(Http2Headers headers) {
        List<CharSequence> underscored = null;
        for (Map.Entry<CharSequence, CharSequence> header : headers) {
            if (RequestHeadChecksHandler.hasUnderscore(header.getKey())) {
                if (underscored == null) {
                    underscored = new ArrayList<>(2);
                }
                underscored.add(header.getKey());
            }
        }
        if (underscored != null) {
            underscored.forEach(headers::remove);
        }
        for (var name : HopByHop.INTERNAL) {
            headers.remove(name);
        }
    }

    /**
     * Host beside {@code :authority} must name the same (RFC 9113 8.3.1); then it says nothing more and goes. Without
     * {@code :authority}, Host becomes it: filters and the next hop read the authority from one place.
     */
    private static FilterDecision.Respond checkHost(Http2Headers headers) {
        List<CharSequence> hosts = headers.getAll(HttpHeaderNames.HOST);
        if (hosts.isEmpty()) {
            return null;
        }
        CharSequence authority = headers.authority();
        CharSequence first = authority != null ? authority : hosts.get(0);
        for (CharSequence host : hosts) {
            if (!host.toString().equalsIgnoreCase(first.toString())) {
                return malformed(authority != null ? "the Host header differs from :authority" : "Host headers that differ");
            }
        }
        if (authority == null) {
            headers.authority(first.toString());
        }
        headers.remove(HttpHeaderNames.HOST);
        return null;
    }

    private static FilterDecision.Respond malformed(String why) {
        return new FilterDecision.Respond(400, "malformed-request", "malformed request: " + why);
    }
}
