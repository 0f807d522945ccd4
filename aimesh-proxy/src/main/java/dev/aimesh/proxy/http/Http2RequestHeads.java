package dev.aimesh.proxy.http;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import io.netty.handler.codec.http2.Http2Headers;

/**
 * The rules of RFC 9113 §8.2–8.3 for the header block of an HTTP/2 request, and for its trailers: what
 * makes a stream malformed (to be reset with PROTOCOL_ERROR and never routed). Netty's decoder already
 * refuses a pseudo-header after a regular one, unknown and response pseudo-headers, connection-specific
 * headers and uppercase names; this adds what it lets through (missing, duplicated or empty pseudo-headers,
 * a method that is not a token) and checks them all again, so the proxy does not rest on a codec option.
 */
public final class Http2RequestHeads {
    private static final Set<String> REQUEST_PSEUDO = Set.of(":method", ":scheme", ":authority", ":path");
    private static final Set<String> CONNECTION_SPECIFIC = Set.of("connection", "keep-alive", "proxy-connection",
            "transfer-encoding", "upgrade");
    private static final Map<String, Boolean> NONE = Map.of();

    private Http2RequestHeads() {}

    /** Why the header block that opens a request stream is malformed; empty when it is well formed. */
    public static Optional<String> problemWithRequest(Http2Headers headers) {
        Map<String, Boolean> seen = new java.util.HashMap<>(NONE);
        for (Map.Entry<CharSequence, CharSequence> header : headers) {
            String name = header.getKey().toString();
            if (name.startsWith(":")) {
                if (!REQUEST_PSEUDO.contains(name)) {
                    return Optional.of("the pseudo-header " + name + " is not one of a request");
                }
                if (seen.put(name, true) != null) {
                    return Optional.of("the pseudo-header " + name + " appears twice");
                }
                continue;
            }
            Optional<String> regular = problemWithRegular(name, header.getValue());
            if (regular.isPresent()) {
                return regular;
            }
        }
        CharSequence method = headers.method();
        if (method == null) {
            return Optional.of("the request has no :method");
        }
        if (!isToken(method)) {
            return Optional.of("the :method is not a token");
        }
        if ("CONNECT".contentEquals(method)) {
            return Optional.empty(); // no :scheme or :path; refused as a method the proxy does not serve
        }
        if (headers.scheme() == null || headers.scheme().isEmpty()) {
            return Optional.of("the request has no :scheme");
        }
        CharSequence path = headers.path();
        if (path == null || path.isEmpty()) {
            return Optional.of("the request has no :path");
        }
        if (path.charAt(0) != '/' && !("*".contentEquals(path) && "OPTIONS".contentEquals(method))) {
            return Optional.of("the :path is neither absolute nor '*' for OPTIONS");
        }
        return Optional.empty();
    }

    /** Why a header block after the request's first (trailers) is malformed: it must end the stream and carry no pseudo-header. */
    public static Optional<String> problemWithTrailers(Http2Headers headers, boolean endStream) {
        if (!endStream) {
            return Optional.of("a second header block that does not end the stream");
        }
        for (Map.Entry<CharSequence, CharSequence> header : headers) {
            String name = header.getKey().toString();
            if (name.startsWith(":")) {
                return Optional.of("the trailers carry the pseudo-header " + name);
            }
            Optional<String> regular = problemWithRegular(name, header.getValue());
            if (regular.isPresent()) {
                return regular;
            }
        }
        return Optional.empty();
    }

    private static Optional<String> problemWithRegular(String name, CharSequence value) {
        if (CONNECTION_SPECIFIC.contains(name)) {
            return Optional.of("the connection-specific header " + name + " is not allowed in HTTP/2");
        }
        if (name.equals("te") && !"trailers".contentEquals(value)) {
            return Optional.of("te may only be 'trailers' in HTTP/2");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                return Optional.of("the header name " + name + " is not lowercase");
            }
        }
        return Optional.empty();
    }

    /** RFC 9110 §5.6.2: one or more tchar. */
    static boolean isToken(CharSequence s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean tchar = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!tchar) {
                return false;
            }
        }
        return true;
    }
}
