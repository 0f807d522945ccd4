package dev.aimesh.core.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import dev.aimesh.core.authz.PolicySelection;
import dev.aimesh.core.resource.MeshConfig;
import dev.aimesh.core.resource.NetworkPolicy;
import dev.aimesh.core.resource.PeerAuthentication;
import dev.aimesh.core.resource.Resource;
import dev.aimesh.core.resource.Workload;

/**
 * What of the mesh's config concerns the proxy of one workload: the registry (every workload entry, which it
 * routes over), the Mesh settings, its own Workload, and the policies that can apply to it, chosen by the very
 * rules the proxy then applies ({@link PolicySelection}, the scopes of
 * {@link dev.aimesh.core.peerauthn.PeerAuthentications}, a NetworkPolicy's namespace and pod selector). The
 * proxy compiles exactly what it would have compiled from the whole config, and a change to a policy of
 * another workload leaves its selection, and so what it is sent, unchanged.
 *
 * <p>Egress rules name the model port of the workload called, so a workload that an egress NetworkPolicy
 * selects is sent every Workload resource too; the others only their own.
 */
public final class ProxyConfigSelection {
    private ProxyConfigSelection() {}

    /**
     * The snapshot for the proxy of {@code namespace/name}: {@code mesh}'s registry and version, the resources
     * that concern it. A workload no longer declared is selected as one without labels (the policies of its
     * namespace and the root namespace that select no labels still hold for it, as they did when each proxy read
     * the whole config); a stream that names no workload gets the registry and the Mesh settings only.
     */
    public static ConfigSnapshot forWorkload(ConfigSnapshot mesh, MeshConfig config, String namespace, String name) {
        return new ConfigSnapshot(mesh.version(), mesh.workloads(), of(config).resourcesFor(namespace, name));
    }

    /** The config indexed for many selections: once per version, then one selection per workload. */
    public static Index of(MeshConfig config) {
        Map<String, Workload> byRef = new java.util.HashMap<>();
        config.workloads().forEach(w -> byRef.put(w.namespace() + "/" + w.name(), w));
        return new Index(config, Map.copyOf(byRef));
    }

    /** A config with its workloads by {@code namespace/name}. */
    public record Index(MeshConfig config, Map<String, Workload> workloads) {
        /** The resources that concern {@code namespace/name} (see {@link ProxyConfigSelection#forWorkload}). */
        public List<Resource> resourcesFor(String namespace, String name) {
            Optional<Workload> self = Optional.ofNullable(workloads.get(namespace + "/" + name));
            List<Resource> selected = new ArrayList<>();
            selected.add(config.mesh());
            if (namespace.isEmpty()) {
                return selected;
            }
            Map<String, String> labels = self.map(w -> w.metadata().labels()).orElse(Map.of());
            String root = config.mesh().authorization().rootNamespace();
            selected.addAll(PolicySelection.forWorkload(config.authorizationPolicies(), root, namespace, name, labels));
            selected.addAll(PolicySelection.authenticationsFor(config.requestAuthentications(), root, namespace, name, labels));
            selected.addAll(peerAuthentications(config.peerAuthentications(), root, namespace, labels));
            selected.addAll(PolicySelection.dataLossPreventionFor(config.dataLossPreventionPolicies(), root, namespace, name,
                    labels));
            selected.addAll(PolicySelection.rateLimitsFor(config.rateLimitPolicies(), root, namespace, name, labels));
            List<NetworkPolicy> networkPolicies = networkPolicies(config.networkPolicies(), namespace, labels);
            selected.addAll(networkPolicies);
            boolean egress = networkPolicies.stream().anyMatch(p -> p.policyTypes().contains(NetworkPolicy.Direction.EGRESS));
            selected.addAll(egress ? config.workloads() : self.stream().toList());
            return selected;
        }
    }

    /** Mesh-wide (root namespace, no selector), namespace-wide, and those of its namespace whose selector it matches. */
    static List<PeerAuthentication> peerAuthentications(List<PeerAuthentication> policies, String root, String namespace,
            Map<String, String> labels) {
        return policies.stream().filter(p -> {
            String ns = p.metadata().namespace();
            if (p.selector().isEmpty()) {
                return ns.equals(root) || ns.equals(namespace);
            }
            return ns.equals(namespace) && !namespace.equals(root)
                    && p.selector().get().entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
        }).toList();
    }

    /** Those of its namespace whose pod selector matches it, in either direction. */
    static List<NetworkPolicy> networkPolicies(List<NetworkPolicy> policies, String namespace, Map<String, String> labels) {
        return policies.stream()
                .filter(p -> p.metadata().namespace().equals(namespace) && p.podSelector().matches(labels))
                .toList();
    }
}
