package dev.aimesh.proxy.http;

import java.time.Duration;

/**
 * The limits every listener enforces; a request over one gets its 4xx (or 5xx) and never reaches the
 * model. Defaults suit LLM traffic: large prompts, long streamed answers, a slow first token.
 * {@code connectTimeout} bounds a connection or TLS handshake; {@code responseTimeout} the wait for the
 * upstream's response headers; {@code idleTimeout} a connection with no traffic at all;
 * {@code requestHeadersTimeout} the time an HTTP/1.1 client has to send a whole request head, from its first
 * byte (or from the start of the connection, for its first request): a slowloris client is answered 408.
 * {@code underscoreHeaders}: what to do with a request header whose name holds an underscore.
 */
public record ProxyLimits(int maxRequestLineBytes, int maxHeaderBytes, long maxRequestBodyBytes, Duration idleTimeout,
        Duration connectTimeout, Duration responseTimeout, int maxConcurrentStreams, Duration requestHeadersTimeout,
        UnderscoreHeaders underscoreHeaders) {
    public static final Duration DEFAULT_REQUEST_HEADERS_TIMEOUT = Duration.ofSeconds(10);
    public static final ProxyLimits DEFAULTS = new ProxyLimits(8 * 1024, 32 * 1024, 32L * 1024 * 1024,
            Duration.ofMinutes(5), Duration.ofSeconds(5), Duration.ofMinutes(5), 256);

    /**
     * Header names with an underscore ({@code x_forwarded_client_cert}) are read as dashes by CGI/WSGI servers,
     * past every check made on the dashed name: {@code DROP} removes them, {@code REFUSE} answers 400.
     */
    public enum UnderscoreHeaders { DROP, REFUSE }

    /** With the default request-head timeout, and headers with underscores dropped. */
    public ProxyLimits(int maxRequestLineBytes, int maxHeaderBytes, long maxRequestBodyBytes, Duration idleTimeout,
            Duration connectTimeout, Duration responseTimeout, int maxConcurrentStreams) {
        this(maxRequestLineBytes, maxHeaderBytes, maxRequestBodyBytes, idleTimeout, connectTimeout, responseTimeout,
                maxConcurrentStreams, DEFAULT_REQUEST_HEADERS_TIMEOUT, UnderscoreHeaders.DROP);
    }

    public ProxyLimits withRequestHeadersTimeout(Duration timeout) {
        return new ProxyLimits(maxRequestLineBytes, maxHeaderBytes, maxRequestBodyBytes, idleTimeout, connectTimeout,
                responseTimeout, maxConcurrentStreams, timeout, underscoreHeaders);
    }

    public ProxyLimits withUnderscoreHeaders(UnderscoreHeaders action) {
        return new ProxyLimits(maxRequestLineBytes, maxHeaderBytes, maxRequestBodyBytes, idleTimeout, connectTimeout,
                responseTimeout, maxConcurrentStreams, requestHeadersTimeout, action);
    }

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
                || responseTimeout.isNegative() || responseTimeout.isZero()
                || requestHeadersTimeout.isNegative() || requestHeadersTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (maxConcurrentStreams < 1) {
            throw new IllegalArgumentException("maxConcurrentStreams: " + maxConcurrentStreams + " (expected: >= 1)");
        }
        java.util.Objects.requireNonNull(underscoreHeaders, "underscoreHeaders");
    }
}
