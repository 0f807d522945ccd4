package dev.aimesh.proxy.filter.netpol;

import java.net.InetSocketAddress;
import java.util.Optional;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import dev.aimesh.core.audit.SecurityEvent;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.proxy.snapshot.ProxySnapshot;
import dev.aimesh.proxy.snapshot.SnapshotHolder;

/**
 * Connection-time policy of one workload, from the snapshot current at accept: the PeerAuthentication mode of
 * its port (may a caller speak plain text?) and its ingress NetworkPolicies. A connection let in is marked with
 * the snapshot version it was checked under ({@link #ADMITTED}), which {@link NetworkPolicyFilter} compares
 * with each exchange's.
 */
public final class ConnectionAdmission {
    /** The version of the snapshot a connection was let in under. */
    public static final AttributeKey<String> ADMITTED = AttributeKey.valueOf("aimesh.admitted");

    private final SnapshotHolder snapshots;

    public ConnectionAdmission(SnapshotHolder snapshots) {
        this.snapshots = snapshots;
    }

    /** Why a plain-text connection may not come in. */
    public record Refusal(SecurityEvent.Type type, String reason) {}

    /** Why a verified {@code peer} at {@code remote} may not come in; empty when it may ({@code connection} is marked). */
    public Optional<String> refuseIngress(SpiffeId peer, InetSocketAddress remote, Channel connection) {
        ProxySnapshot snapshot = snapshots.current();
        Optional<String> refused = snapshot.network().refuseIngress(Optional.of(peer), remote, snapshot.registry());
        if (refused.isEmpty()) {
            connection.attr(ADMITTED).set(snapshot.version());
        }
        return refused;
    }

    /** Why a plain-text connection from {@code remote} may not come in (the mode, then NetworkPolicy); empty when it may. */
    public Optional<Refusal> refusePlaintext(InetSocketAddress remote, Channel connection) {
        ProxySnapshot snapshot = snapshots.current();
        if (!snapshot.plaintextAllowed()) {
            return Optional.of(new Refusal(SecurityEvent.Type.PEER_AUTHN_REFUSED,
                    "mTLS is required (" + snapshot.mtls().reason() + ")"));
        }
        Optional<String> refused = snapshot.network().refuseIngress(Optional.empty(), remote, snapshot.registry());
        if (refused.isPresent()) {
            return Optional.of(new Refusal(SecurityEvent.Type.NETPOL_INGRESS_DENIED, refused.get()));
        }
        connection.attr(ADMITTED).set(snapshot.version());
        return Optional.empty();
    }
}
