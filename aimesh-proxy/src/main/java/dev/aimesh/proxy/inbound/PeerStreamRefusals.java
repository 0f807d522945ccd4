package dev.aimesh.proxy.inbound;

import java.net.SocketAddress;
import java.time.InstantSource;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.aimesh.core.audit.SecurityEvent;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.proxy.filter.common.SecurityEventSink;

/**
 * Streams the inbound refused over the per-peer limit: each one an {@code overload.refused} event (the report
 * queue counts them per caller and second, so a flood is a few entries), and a WARN line naming the limit at most
 * once a second, with how many were refused since the last line. Called from every event loop; takes no lock.
 */
final class PeerStreamRefusals {
    private static final Logger log = LoggerFactory.getLogger(PeerStreamRefusals.class);

    private final SecurityEventSink events;
    private final InstantSource clock;
    private final OncePerInterval logged = new OncePerInterval(1000);

    PeerStreamRefusals(SecurityEventSink events, InstantSource clock) {
        this.events = events;
        this.clock = clock;
    }

    void refused(SpiffeId peer, SocketAddress remote, String protocol, String why) {
        events.report(SecurityEvent.Type.OVERLOAD_REFUSED, Map.of(SecurityEvent.Field.CALLER, peer.toString(),
                SecurityEvent.Field.REASON, "peer-stream-limit: " + why));
        long others = logged.occurred(clock.millis());
        if (others == OncePerInterval.HELD_BACK) {
            return;
        }
        log.warn("refused an {} stream from {} ({}): {}{}", protocol, remote, peer, why,
                others == 0 ? "" : "; " + others + " more refused since the last line");
    }
}
