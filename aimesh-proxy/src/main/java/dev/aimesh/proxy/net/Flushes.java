package dev.aimesh.proxy.net;

import io.netty.handler.flush.FlushConsolidationHandler;

/**
 * Many HTTP/2 streams share one connection, and each stream flushes on its own: without this, every
 * flush is a TLS record and a write system call. Placed between TLS and the HTTP/2 codec, it turns the
 * flushes of one event-loop turn into one write.
 */
public final class Flushes {
    /** Flush at the latest after this many consolidated flushes, so a busy connection still writes promptly. */
    private static final int MAX_CONSOLIDATED = 256;

    private Flushes() {}

    public static FlushConsolidationHandler consolidating() {
        // Consolidate also while nothing is being read on this connection: the writes of a shared upstream
        // connection come from reads on other (downstream) channels.
        return new FlushConsolidationHandler(MAX_CONSOLIDATED, true);
    }
}
