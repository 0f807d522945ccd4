package dev.aimesh.proxy.upstream;

/**
 * How much one next hop may take of the proxy, per event loop: {@code connections} open or being opened,
 * and {@code pending} requests waiting for one (HTTP/1.1) or for a connection being set up (HTTP/2, each of
 * which also carries at most the streams its peer allows). A request beyond them is refused at once with
 * 503 {@code upstream-pool-full} instead of queueing without end: one caller flooding a model cannot make
 * the proxy open connections until its heap is gone.
 */
public record PoolBounds(int connections, int pending) {
    /** HTTP/1.1 to the local model server: one connection per request in flight. */
    public static final PoolBounds MODEL_HTTP1 = new PoolBounds(256, 1024);
    /** HTTP/2 to a peer proxy or an h2c model: each connection carries up to the peer's stream limit. */
    public static final PoolBounds HTTP2 = new PoolBounds(16, 1024);

    public PoolBounds {
        if (connections < 1) {
            throw new IllegalArgumentException("connections: " + connections + " (expected: >= 1)");
        }
        if (pending < 0) {
            throw new IllegalArgumentException("pending: " + pending + " (expected: >= 0)");
        }
    }
}
