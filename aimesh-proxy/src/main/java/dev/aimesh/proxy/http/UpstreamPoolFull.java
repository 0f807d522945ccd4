package dev.aimesh.proxy.http;

/** A lease refused because the next hop already has all the connections and waiting requests it may have. */
public final class UpstreamPoolFull extends Exception {
    public UpstreamPoolFull(String message) {
        super(message, null, false, false);
    }
}
