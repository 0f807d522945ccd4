package dev.aimesh.proxy.http;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The limits every listener enforces; a request over one gets its 4xx (or 5xx) and never reaches the
 * model. Defaults suit LLM traffic: large prompts, long streamed answers, a slow first token.
 * {@code connectTimeout} bounds a connection or TLS handshake; {@code responseTimeout} the wait for the
 * upstream's response headers; {@code idleTimeout} a connection with no traffic at all;
 * {@code requestHeadersTimeout} the time an HTTP/1.1 client has to send a whole request head, from its first
 * byte (or from the start of the connection, for its first request): a slowloris client is answered 408.
 * {@code underscoreHeaders}: what to do with a request header whose name holds an underscore.
 * {@code maxConcurrentStreams} bounds the streams of one HTTP/2 connection; {@code maxStreamsPerPeer} those one
 * verified peer identity holds on the inbound listener across all its connections (HTTP/1.1 exchanges count).
 * Build other values from the defaults: {@code ProxyLimits.builder().maxStreamsPerPeer(64).build()}.
 */
public record ProxyLimits(int maxRequestLineBytes, int maxHeaderBytes, long maxRequestBodyBytes, Duration idleTimeout,
        Duration connectTimeout, Duration responseTimeout, int maxConcurrentStreams, Duration requestHeadersTimeout,
        UnderscoreHeaders underscoreHeaders, int maxStreamsPerPeer) {
    public static final ProxyLimits DEFAULTS = new ProxyLimits(8 * 1024, 32 * 1024, 32L * 1024 * 1024,
            Duration.ofMinutes(5), Duration.ofSeconds(5), Duration.ofMinutes(5), 256, Duration.ofSeconds(10),
            UnderscoreHeaders.DROP, 1024);

    /**
     * Header names with an underscore ({@code x_forwarded_client_cert}) are read as dashes by CGI/WSGI servers,
     * past every check made on the dashed name: {@code DROP} removes them, {@code REFUSE} answers 400.
     */
    public enum UnderscoreHeaders { DROP, REFUSE }

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
        requireNonNull(underscoreHeaders, "underscoreHeaders");
        if (maxStreamsPerPeer < 1) {
            throw new IllegalArgumentException("maxStreamsPerPeer: " + maxStreamsPerPeer + " (expected: >= 1)");
        }
    }

    /** A builder that starts from {@link #DEFAULTS}. */
    public static Builder builder() {
        return DEFAULTS.toBuilder();
    }

    /** A builder that starts from these limits. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Changes some limits and keeps the others; {@link #build()} validates the result. */
    public static final class Builder {
        private int maxRequestLineBytes;
        private int maxHeaderBytes;
        private long maxRequestBodyBytes;
        private Duration idleTimeout;
        private Duration connectTimeout;
        private Duration responseTimeout;
        private int maxConcurrentStreams;
        private Duration requestHeadersTimeout;
        private UnderscoreHeaders underscoreHeaders;
        private int maxStreamsPerPeer;

        private Builder(ProxyLimits from) {
            maxRequestLineBytes = from.maxRequestLineBytes;
            maxHeaderBytes = from.maxHeaderBytes;
            maxRequestBodyBytes = from.maxRequestBodyBytes;
            idleTimeout = from.idleTimeout;
            connectTimeout = from.connectTimeout;
            responseTimeout = from.responseTimeout;
            maxConcurrentStreams = from.maxConcurrentStreams;
            requestHeadersTimeout = from.requestHeadersTimeout;
            underscoreHeaders = from.underscoreHeaders;
            maxStreamsPerPeer = from.maxStreamsPerPeer;
        }

        public Builder maxRequestLineBytes(int bytes) {
            maxRequestLineBytes = bytes;
            return this;
        }

        public Builder maxHeaderBytes(int bytes) {
            maxHeaderBytes = bytes;
            return this;
        }

        public Builder maxRequestBodyBytes(long bytes) {
            maxRequestBodyBytes = bytes;
            return this;
        }

        public Builder idleTimeout(Duration timeout) {
            idleTimeout = timeout;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            connectTimeout = timeout;
            return this;
        }

        public Builder responseTimeout(Duration timeout) {
            responseTimeout = timeout;
            return this;
        }

        public Builder maxConcurrentStreams(int streams) {
            maxConcurrentStreams = streams;
            return this;
        }

        public Builder requestHeadersTimeout(Duration timeout) {
            requestHeadersTimeout = timeout;
            return this;
        }

        public Builder underscoreHeaders(UnderscoreHeaders action) {
            underscoreHeaders = action;
            return this;
        }

        public Builder maxStreamsPerPeer(int streams) {
            maxStreamsPerPeer = streams;
            return this;
        }

        public ProxyLimits build() {
            return new ProxyLimits(maxRequestLineBytes, maxHeaderBytes, maxRequestBodyBytes, idleTimeout, connectTimeout,
                    responseTimeout, maxConcurrentStreams, requestHeadersTimeout, underscoreHeaders, maxStreamsPerPeer);
        }
    }
}
