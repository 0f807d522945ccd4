package dev.aimesh.controlplane.grpc;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.aimesh.controlplane.audit.AuditEvent;
import dev.aimesh.controlplane.audit.AuditLog;

/**
 * Refused TLS handshakes on the gRPC port: one log line and one {@code peer-authn.refused} audit event each,
 * as the proxy's inbound reports them, up to {@link #PER_SECOND} a second; past that they are counted and the
 * count rides on the next reported one, so a flood of garbage neither fills the disk nor goes unseen.
 */
final class HandshakeRefusals {
    private static final Logger log = LoggerFactory.getLogger(HandshakeRefusals.class);
    static final int PER_SECOND = 10;

    private final AuditLog audit;
    private final InstantSource clock;
    private Instant window = Instant.EPOCH;
    private int inWindow;
    private long suppressed;

    HandshakeRefusals(AuditLog audit, InstantSource clock) {
        this.audit = audit;
        this.clock = clock;
    }

    void refused(SocketAddress remote, String reason) {
        long dropped;
        Instant now = clock.instant();
        synchronized (this) {
            if (Duration.between(window, now).compareTo(Duration.ofSeconds(1)) >= 0) {
                window = now;
                inWindow = 0;
            }
            if (++inWindow > PER_SECOND) {
                suppressed++;
                return;
            }
            dropped = suppressed;
            suppressed = 0;
        }
        String source = remote instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : String.valueOf(remote);
        log.warn("refused a gRPC connection from {}: TLS handshake: {}{}", remote, reason,
                dropped > 0 ? " (" + dropped + " more refused before it, not logged)" : "");
        Map<String, String> facts = new HashMap<>();
        facts.put("caller", source);
        facts.put("reason", "TLS handshake: " + reason);
        facts.put("listener", "grpc");
        if (dropped > 0) {
            facts.put("suppressed", Long.toString(dropped));
        }
        audit.record(new AuditEvent(now, "peer-authn.refused", AuditEvent.Outcome.DENIED, facts));
    }
}
