package dev.aimesh.proxy.snapshot;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.netpol.NetworkPolicies;
import dev.aimesh.core.netpol.NetworkPolicyDecision;
import dev.aimesh.core.netpol.Peer;
import dev.aimesh.core.registry.WorkloadEntry;
import dev.aimesh.core.resource.MeshConfig;
import dev.aimesh.core.resource.Workload;

/**
 * This workload's NetworkPolicies as one snapshot has them: ingress for connections it accepts, egress for
 * the calls it makes, with what they need looked up once (its own labels, every workload's model port).
 */
public final class NetworkView {
    /** Before the first snapshot: nothing refused (mTLS is still required by {@link ProxySnapshot#mtls()}). */
    public static final NetworkView NONE = new NetworkView(null, "", Map.of(), 0, Map.of());

    private final MeshConfig config;
    private final String namespace;
    private final Map<String, String> labels;
    private final int port;
    private final Map<String, Integer> modelPorts;

    private NetworkView(MeshConfig config, String namespace, Map<String, String> labels, int port,
            Map<String, Integer> modelPorts) {
        this.config = config;
        this.namespace = namespace;
        this.labels = labels;
        this.port = port;
        this.modelPorts = modelPorts;
    }

    /**
     * @param labels this workload's labels in the registry
     * @param port the model server's port: the one NetworkPolicy's ports name
     */
    public static NetworkView of(MeshConfig config, String namespace, Map<String, String> labels, int port) {
        Map<String, Integer> modelPorts = new HashMap<>();
        for (Workload w : config.workloads()) {
            w.inbound().flatMap(Workload.Inbound::upstream).ifPresent(u -> modelPorts.put(w.namespace() + "/" + w.name(), u.port()));
        }
        return new NetworkView(config, namespace, Map.copyOf(labels), port, Map.copyOf(modelPorts));
    }

    /** Why a connection from {@code peer} (empty: plain text) at {@code remote} may not come in; empty when it may. */
    public Optional<String> refuseIngress(Optional<SpiffeId> peer, InetSocketAddress remote, RegistryIndex registry) {
        if (config == null) {
            return Optional.empty();
        }
        byte[] ip = remote != null && remote.getAddress() != null ? remote.getAddress().getAddress() : null;
        Peer source = peer.flatMap(registry::bySpiffeId)
                .map(w -> ip == null ? Peer.workload(w.namespace(), w.labels()) : Peer.workload(w.namespace(), w.labels(), ip))
                .orElse(ip == null ? new Peer(Optional.empty(), Map.of(), Optional.empty()) : Peer.external(ip));
        NetworkPolicyDecision decision = NetworkPolicies.ingressAllowed(config, Peer.workload(namespace, labels), source, port);
        return decision.allowed() ? Optional.empty() : Optional.of("NetworkPolicy: " + decision.reason());
    }

    /** Why this workload may not call {@code target}; empty when it may. */
    public Optional<String> refuseEgress(WorkloadEntry target) {
        if (config == null || config.networkPolicies().isEmpty()) {
            return Optional.empty();
        }
        int targetPort = modelPorts.getOrDefault(target.ref(), 0);
        NetworkPolicyDecision decision = NetworkPolicies.egressAllowed(config, Peer.workload(namespace, labels),
                Peer.workload(target.namespace(), target.labels()), targetPort);
        return decision.allowed() ? Optional.empty() : Optional.of("NetworkPolicy: " + decision.reason());
    }
}
