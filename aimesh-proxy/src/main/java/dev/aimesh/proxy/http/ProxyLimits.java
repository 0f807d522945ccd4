package dev.aimesh.proxy.http;

import java.time.Duration;

/**
 * The limits every listener enforces; a request over one gets its 4xx (or 5xx) and never reaches the
 * model. Defaults suit LLM traffic: large prompts, long streamed answers, a slow first token.
 * {@code connectTimeout} bounds a connection or TLS handshake; {@code responseTimeout} the wait for the
 * upstream's response headers; {@code idleTimeout} a connection with no traffic at all.
 */
public record ProxyLimits(int maxRequestLineBytes, int maxHeaderBytes, long maxRequestBodyBytes, Duration idleTimeout,
        Duration connectTimeout, Duration responseTimeout, int maxConcurrentStreams) {
    public static final ProxyLimits DEFAULTS = new ProxyLimits(8 * 1024, 32 * 1024, 32L * 1024 * 1024,
            Duration.ofMinutes(5), Duration.ofSeconds(5), Duration.ofMinutes(5), 256);

    public ProxyLimits {
        if (maxRequestLineBytes < 256) {
            throw new IllegalArgumentException("maxRequestLineBytes: " + maxRequestLineBytes + " (expected: >= 256)");
        }
        if (maxHeaderBytes < 1024) {
            throw new IllegalArgumentException("maxHeaderBytes: " + maxHeaderBytes + " (expected: >= 1024)");
        }
        if (maxRequestBodyBytes < 0) {
            throw new IllegalArgumentException("maxRequestBodyBytes: " + maxRequestBodyBytes + " (expected: >= 0)");
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero() || connectTimeout.isNegative() || connectTimeout.isZero()
                || responseTimeout.isNegative() || responseTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (maxConcurrentStreams < 1) {
            throw new IllegalArgumentException("maxConcurrentStreams: " + maxConcurrentStreams + " (expected: >= 1)");
        }
    }
}
