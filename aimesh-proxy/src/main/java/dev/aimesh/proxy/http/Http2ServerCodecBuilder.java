package dev.aimesh.proxy.http;

import io.netty.handler.codec.http2.Http2FrameCodecBuilder;

/** Netty's server frame codec, on an {@link Http2ServerConnection} (the builder takes a connection only from a subclass). */
final class Http2ServerCodecBuilder extends Http2FrameCodecBuilder {
    Http2ServerCodecBuilder() {
        connection(new Http2ServerConnection());
        gracefulShutdownTimeoutMillis(0); // as Http2FrameCodecBuilder.forServer()
    }
}
