package dev.aimesh.proxy.http;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Fired by {@link StrictHttp1Guard} when the byte stream breaks HTTP/1.1's grammar or a limit on the request
 * head: the answer's {@code status} and {@code code} (its {@code x-aimesh-reason}), and a {@code message} for
 * the body. {@code inBody}: the fault is in the body or trailers of the request under way (which must be
 * aborted), not in a new head.
 */
public record MalformedRequest(HttpResponseStatus status, String code, String message, boolean inBody) {
    static MalformedRequest badRequest(String fault, boolean inBody) {
        return new MalformedRequest(HttpResponseStatus.BAD_REQUEST, "malformed-request", "malformed request: " + fault, inBody);
    }
}
