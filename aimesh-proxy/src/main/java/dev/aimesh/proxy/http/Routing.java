package dev.aimesh.proxy.http;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;

/** What a listener decided for a request: forward it (as rewritten) to an upstream, or refuse it. */
public sealed interface Routing {
    record Forward(UpstreamConnector upstream, HttpRequest request) implements Routing {}

    record Refuse(HttpResponseStatus status, String code, String message) implements Routing {}
}
