package dev.aimesh.core.registry;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.resource.MeshConfig;
import dev.aimesh.core.resource.Resource;

/**
 * The configuration a proxy enforces, as one immutable, versioned value: the workloads and where they are
 * (the registry), and typed, validated resources. The control plane holds one with every resource of the
 * mesh; each proxy is sent the one {@link ProxyConfigSelection} makes of it for its workload, so no proxy
 * decodes YAML. Workloads are kept in {@code namespace/name} order and resources in {@link Resource#key()}
 * order, so that two snapshots with the same content are equal however they were put together (a full one,
 * or a delta applied to an older one).
 */
public record ConfigSnapshot(String version, List<WorkloadEntry> workloads, List<Resource> resources) {
    private static final Comparator<WorkloadEntry> BY_REF = Comparator.comparing(WorkloadEntry::namespace)
            .thenComparing(WorkloadEntry::name);

    public ConfigSnapshot {
        requireNonNull(version, "version");
        workloads = workloads.stream().sorted(BY_REF).toList();
        resources = resources.stream().sorted(Comparator.comparing(Resource::key)).toList();
    }

    public ConfigSnapshot(String version, List<WorkloadEntry> workloads) {
        this(version, workloads, List.of());
    }

    /**
     * The workloads of {@code config}, each with the endpoints known for it ({@code namespace/name} to
     * addresses), and every resource of it.
     */
    public static ConfigSnapshot of(String version, MeshConfig config, Map<String, List<String>> endpoints) {
        return new ConfigSnapshot(version, config.workloads().stream()
                .map(w -> new WorkloadEntry(w.namespace(), w.name(), config.spiffeIdOf(w), w.metadata().labels(),
                        endpoints.getOrDefault(w.namespace() + "/" + w.name(), List.of())))
                .toList(), resourcesOf(config));
    }

    /** Every resource of {@code config}: its Mesh, workloads and policies (RoleBindings already compiled into policies). */
    public static List<Resource> resourcesOf(MeshConfig config) {
        List<Resource> all = new ArrayList<>();
        all.add(config.mesh());
        all.addAll(config.workloads());
        all.addAll(config.authorizationPolicies());
        all.addAll(config.requestAuthentications());
        all.addAll(config.peerAuthentications());
        all.addAll(config.networkPolicies());
        all.addAll(config.dataLossPreventionPolicies());
        all.addAll(config.rateLimitPolicies());
        return all;
    }

    /** The same content under another version. */
    public ConfigSnapshot withVersion(String next) {
        return new ConfigSnapshot(next, workloads, resources);
    }

    /** Whether {@code other} holds the same workloads and resources, whatever its version. */
    public boolean sameContent(ConfigSnapshot other) {
        return workloads.equals(other.workloads) && resources.equals(other.resources);
    }

    public Optional<WorkloadEntry> workload(String namespace, String name) {
        return workloads.stream().filter(w -> w.namespace().equals(namespace) && w.name().equals(name)).findFirst();
    }

    public Optional<WorkloadEntry> bySpiffeId(SpiffeId id) {
        return workloads.stream().filter(w -> w.spiffeId().equals(id)).findFirst();
    }
}
