package dev.aimesh.proxy.http;

import java.util.Optional;
import dev.aimesh.core.http.StreamsPerPeer;

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
    Optional<StreamsPerPeer.Slot> admit(String protocol);

    /** What a refused HTTP/1.1 request is told: the limit, by name and value. */
    String refusal();
}
