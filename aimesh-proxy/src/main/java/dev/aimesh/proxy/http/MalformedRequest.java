package dev.aimesh.proxy.http;

/**
 * Fired by {@link StrictHttp1Guard} when the byte stream breaks HTTP/1.1's grammar. {@code inBody}: the
 * fault is in the body or trailers of the request under way (which must be aborted), not in a new head.
 */
public record MalformedRequest(String code, String message, boolean inBody) {}
