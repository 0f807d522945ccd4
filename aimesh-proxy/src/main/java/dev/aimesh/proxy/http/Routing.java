package dev.aimesh.proxy.http;

import java.util.function.Consumer;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * What a listener decided for a request: forward it (as rewritten) to an upstream, refuse it, or first
 * read its body (at most {@code maxBytes}) and then decide with it.
 */
public sealed interface Routing {
    /** {@code trailers} removes from the request's trailers (if it has any) what the upstream must not see. */
    record Forward(UpstreamConnector upstream, HttpRequest request, Consumer<HttpHeaders> trailers) implements Routing {
        public Forward(UpstreamConnector upstream, HttpRequest request) {
            this(upstream, request, t -> { });
        }
    }

    record Refuse(HttpResponseStatus status, String code, String message) implements Routing {}

    record Inspect(int maxBytes, BodyDecision decision) implements Routing {}

    /** Decides once the body is read: all of it ({@code complete}), or the first {@code maxBytes} and more follows. */
    @FunctionalInterface
    interface BodyDecision {
        Routing decide(byte[] body, int length, boolean complete);
    }
}
