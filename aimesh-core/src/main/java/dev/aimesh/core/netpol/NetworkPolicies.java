package dev.aimesh.core.netpol;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import dev.aimesh.core.resource.MeshConfig;
import dev.aimesh.core.resource.NetworkPolicy;
import dev.aimesh.core.resource.NetworkPolicy.Direction;
import dev.aimesh.core.resource.NetworkPolicy.PeerSelector;
import dev.aimesh.core.resource.NetworkPolicy.PortRange;
import dev.aimesh.core.resource.NetworkPolicy.Protocol;
import dev.aimesh.core.resource.NetworkPolicy.Rule;

/**
 * Kubernetes NetworkPolicy semantics for one TCP connection. A workload no policy of a direction selects is
 * open in that direction; once any policy selects it, a connection passes only if a rule of one of those
 * policies allows it (policies add up, none denies). Connections are TCP, so UDP and SCTP rules never match.
 */
public final class NetworkPolicies {
    /** Kubernetes labels every namespace with its name; we have no Namespace objects, so that is the only label. */
    public static final String NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

    private NetworkPolicies() {}

    /** May {@code source} connect to {@code destination} (a workload of the mesh) on {@code port}? */
    public static NetworkPolicyDecision ingressAllowed(MeshConfig config, Peer destination, Peer source, int port) {
        return decide(config, Direction.INGRESS, destination, source, port);
    }

    /** May {@code source} (a workload of the mesh) connect to {@code destination} on {@code port}? */
    public static NetworkPolicyDecision egressAllowed(MeshConfig config, Peer source, Peer destination, int port) {
        return decide(config, Direction.EGRESS, source, destination, port);
    }

    /** {@code subject} is the workload the policies select; {@code other} the far end of the connection. */
    private static NetworkPolicyDecision decide(MeshConfig config, Direction direction, Peer subject, Peer other, int port) {
        if (subject.namespace().isEmpty()) {
            return NetworkPolicyDecision.notSelected(); // policies select workloads; an unknown peer is none of them
        }
        String namespace = subject.namespace().get();
        List<NetworkPolicy> selecting = config.networkPolicies().stream()
                .filter(p -> p.policyTypes().contains(direction))
                .filter(p -> p.metadata().namespace().equals(namespace) && p.podSelector().matches(subject.labels()))
                .toList();
        if (selecting.isEmpty()) {
            return NetworkPolicyDecision.notSelected();
        }
        List<String> refs = selecting.stream().map(NetworkPolicy::ref).toList();
        for (NetworkPolicy policy : selecting) {
            List<Rule> rules = policy.rules(direction);
            for (int i = 0; i < rules.size(); i++) {
                if (matches(rules.get(i), policy.metadata().namespace(), other, port)) {
                    return NetworkPolicyDecision.allowedBy(policy.ref(), i, refs);
                }
            }
        }
        return NetworkPolicyDecision.noPolicyAllows(refs);
    }

    private static boolean matches(Rule rule, String policyNamespace, Peer other, int port) {
        return (rule.peers().isEmpty() || rule.peers().stream().anyMatch(s -> matches(s, policyNamespace, other)))
                && (rule.ports().isEmpty() || rule.ports().stream().anyMatch(r -> matches(r, port)));
    }

    private static boolean matches(PeerSelector selector, String policyNamespace, Peer other) {
        return switch (selector) {
            case PeerSelector.Workloads w -> other.namespace().isPresent()
                    && namespaceMatches(w.namespaces(), policyNamespace, other.namespace().get())
                    && w.pods().map(s -> s.matches(other.labels())).orElse(true);
            case PeerSelector.Addresses a -> other.ip().isPresent() && a.cidr().contains(other.ip().get())
                    && a.except().stream().noneMatch(e -> e.contains(other.ip().get()));
        };
    }

    /** Without a namespaceSelector, a podSelector means the policy's own namespace. */
    private static boolean namespaceMatches(Optional<LabelSelector> namespaces, String policyNamespace, String namespace) {
        return namespaces.map(s -> s.matches(Map.of(NAMESPACE_NAME_LABEL, namespace)))
                .orElse(namespace.equals(policyNamespace));
    }

    private static boolean matches(PortRange range, int port) {
        return range.protocol() == Protocol.TCP && port >= range.first() && port <= range.last();
    }
}
