package dev.aimesh.proxy.net;

import java.util.concurrent.atomic.LongAdder;

/**
 * Connections opened and requests carried by one listener or one upstream, counted from any event loop
 * without contention. Their ratio is the connection reuse the proxy achieves.
 */
public final class TrafficCounters {
    private final LongAdder connections = new LongAdder();
    private final LongAdder requests = new LongAdder();

    public void connectionOpened() {
        connections.increment();
    }

    public void request() {
        requests.increment();
    }

    public long connections() {
        return connections.sum();
    }

    public long requests() {
        return requests.sum();
    }
}
