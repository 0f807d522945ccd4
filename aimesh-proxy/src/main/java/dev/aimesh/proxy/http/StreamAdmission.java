package dev.aimesh.proxy.http;

import java.util.Optional;

/**
 * Whether one more HTTP/2 stream or HTTP/1.1 exchange of a downstream connection may start, past the bounds of
 * the connection itself: the inbound listener bounds what one verified peer holds across all its connections.
 * Asked on the connection's event loop; an implementation must neither block nor fail.
 */
public interface StreamAdmission {
    /**
     * The slot the stream or exchange holds until it ends, or empty when it is refused (the refusal is logged
     * and reported already). {@code protocol}: {@code h2} or {@code http/1.1}, for the report.
     */
    Optional<Slot> admit(String protocol);

    /** What a refused HTTP/1.1 request is told: the limit, by name and value. */
    String refusal();

    /** A stream's place, given back once, whichever way the stream ends. */
    @FunctionalInterface
    interface Slot {
        /** Gives the place back; true the first time, false (and nothing changes) after that. */
        boolean release();
    }
}
