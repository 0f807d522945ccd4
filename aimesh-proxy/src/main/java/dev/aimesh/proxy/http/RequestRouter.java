package dev.aimesh.proxy.http;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpRequest;

/** Decides, per request, where it goes; {@code downstream} is the connection or stream it came on. */
@FunctionalInterface
public interface RequestRouter {
    Routing route(Channel downstream, HttpRequest request);
}
