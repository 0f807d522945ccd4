package dev.aimesh.proxy.http;

import io.netty.channel.Channel;

/** A channel to the next hop (a pooled HTTP/1.1 connection or one HTTP/2 stream), borrowed for one exchange. */
public interface UpstreamLease {
    /**
     * On the downstream channel's event loop; an HTTP/1.1 connection speaks {@code HttpObject}s both ways, an HTTP/2
     * stream its frames ({@link ExchangeHandler} translates where the downstream speaks the other version).
     */
    Channel channel();

    /** Whether the channel speaks HTTP/2 (one stream) rather than HTTP/1.1. */
    boolean http2();

    /** Gives the channel back: {@code reusable} when the exchange ended cleanly, else it is closed. */
    void release(boolean reusable);
}
