package dev.aimesh.proxy.filter.netpol;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.netpol.NetworkPolicies;
import dev.aimesh.core.netpol.NetworkPolicyDecision;
import dev.aimesh.core.netpol.Peer;
import dev.aimesh.core.peerauthn.EffectiveMtls;
import dev.aimesh.core.peerauthn.PeerAuthentications;
import dev.aimesh.core.registry.ConfigSnapshot;
import dev.aimesh.core.registry.WorkloadEntry;
import dev.aimesh.core.resource.MeshConfig;
import dev.aimesh.core.resource.PeerAuthentication.MtlsMode;
import dev.aimesh.core.resource.Workload;

/**
 * Connection-time policy of one workload, from its current snapshot: the PeerAuthentication mode of its
 * port (may a caller speak plain text?) and its NetworkPolicies, ingress for connections accepted and
 * egress for the calls it makes. Swapped atomically per snapshot; read once per connection or call.
 */
public final class ConnectionAdmission {
    /** The workload's view of one snapshot. */
    private record View(MeshConfig config, ConfigSnapshot snapshot, String namespace, Map<String, String> labels,
            EffectiveMtls mtls, Map<String, Integer> modelPorts) {}

    private final String namespace;
    private final String name;
    private final int port;
    private final AtomicReference<View> view = new AtomicReference<>();

    /** @param port the model server's port: the one PeerAuthentication's portLevelMtls and NetworkPolicy's ports name */
    public ConnectionAdmission(String namespace, String name, int port) {
        this.namespace = namespace;
        this.name = name;
        this.port = port;
    }

    public void use(MeshConfig config, ConfigSnapshot snapshot) {
        Map<String, String> labels = snapshot.workload(namespace, name).map(WorkloadEntry::labels).orElse(Map.of());
        // the port each workload's model server listens on, which egress rules name: looked up per call, so made once
        Map<String, Integer> modelPorts = new java.util.HashMap<>();
        for (Workload w : config.workloads()) {
            w.inbound().flatMap(Workload.Inbound::upstream).ifPresent(u -> modelPorts.put(w.namespace() + "/" + w.name(), u.port()));
        }
        view.set(new View(config, snapshot, namespace, labels, PeerAuthentications.modeFor(config, namespace, labels, port),
                Map.copyOf(modelPorts)));
    }

    /** The mTLS mode in force (STRICT before the first snapshot). */
    public EffectiveMtls mtls() {
        View v = view.get();
        return v == null ? new EffectiveMtls(MtlsMode.STRICT, EffectiveMtls.Scope.DEFAULT, Optional.empty()) : v.mtls();
    }

    public boolean plaintextAllowed() {
        return mtls().mode() != MtlsMode.STRICT;
    }

    /** Why a connection from {@code peer} (empty: plain text) at {@code remote} may not come in; empty when it may. */
    public Optional<String> refuseIngress(Optional<SpiffeId> peer, InetSocketAddress remote) {
        View v = view.get();
        if (v == null) {
            return Optional.empty();
        }
        byte[] ip = remote != null && remote.getAddress() != null ? remote.getAddress().getAddress() : null;
        Peer source = peer.flatMap(v.snapshot()::bySpiffeId)
                .map(w -> ip == null ? Peer.workload(w.namespace(), w.labels()) : Peer.workload(w.namespace(), w.labels(), ip))
                .orElse(ip == null ? new Peer(Optional.empty(), Map.of(), Optional.empty()) : Peer.external(ip));
        NetworkPolicyDecision decision = NetworkPolicies.ingressAllowed(v.config(), Peer.workload(v.namespace(), v.labels()),
                source, port);
        return decision.allowed() ? Optional.empty() : Optional.of("NetworkPolicy: " + decision.reason());
    }

    /** Why this workload may not call {@code target}; empty when it may. */
    public Optional<String> refuseEgress(WorkloadEntry target) {
        View v = view.get();
        if (v == null || v.config().networkPolicies().isEmpty()) {
            return Optional.empty();
        }
        int targetPort = v.modelPorts().getOrDefault(target.ref(), 0);
        NetworkPolicyDecision decision = NetworkPolicies.egressAllowed(v.config(), Peer.workload(v.namespace(), v.labels()),
                Peer.workload(target.namespace(), target.labels()), targetPort);
        return decision.allowed() ? Optional.empty() : Optional.of("NetworkPolicy: " + decision.reason());
    }
}
