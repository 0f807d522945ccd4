package dev.aimesh.proxy.http;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import dev.aimesh.proxy.net.TrafficCounters;

/** Leases channels to one next hop, on the event loop asked for, so an exchange stays on one thread. */
public interface UpstreamConnector {
    Future<UpstreamLease> acquire(EventLoop loop);

    /** The next hop, for messages ("the model server at 127.0.0.1:8000"). */
    String describe();

    /** Connections opened to the next hop and requests sent over them. */
    TrafficCounters counters();

    /**
     * No longer a destination (the registry stopped listing it): what it holds is let go as its exchanges end,
     * so that a connection to an endpoint gone from the mesh is not kept open for the proxy's lifetime.
     */
    default void retire() {}
}
