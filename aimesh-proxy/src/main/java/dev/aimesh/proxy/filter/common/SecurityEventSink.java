package dev.aimesh.proxy.filter.common;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.Optional;
import dev.aimesh.core.audit.SecurityEvent;
import dev.aimesh.core.identity.SpiffeId;

/**
 * Where the data path hands a security decision to be audited, as it is made: the sink stamps the time.
 * Called on an event loop, so an implementation must neither block nor fail; it may drop an event, provided
 * it counts the drop.
 */
@FunctionalInterface
public interface SecurityEventSink {
    /** For proxies and benchmarks that audit nothing. */
    SecurityEventSink NONE = (type, fields) -> {};

    void report(SecurityEvent.Type type, Map<SecurityEvent.Field, String> fields);

    /** Who made a request, as events name it: the verified SPIFFE ID, else the address it came from. */
    static String caller(Optional<SpiffeId> peer, SocketAddress remote) {
        if (peer.isPresent()) {
            return peer.get().toString();
        }
        return remote instanceof InetSocketAddress inet && inet.getAddress() != null ? inet.getAddress().getHostAddress()
                : String.valueOf(remote);
    }
}
