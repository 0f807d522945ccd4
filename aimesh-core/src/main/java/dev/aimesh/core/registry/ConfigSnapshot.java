package dev.aimesh.core.registry;

import static java.util.Objects.requireNonNull;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.resource.ConfigLoader;
import dev.aimesh.core.resource.MeshConfig;

/**
 * The configuration a proxy enforces, as one immutable, versioned value: the workloads and where they are,
 * and the config files the control plane accepted, which each proxy decodes and compiles with the very
 * code the control plane validated them with (so {@code aimesh check} and the proxy cannot disagree).
 * Workloads are kept in {@code namespace/name} order and files in name order, so that two snapshots with the
 * same content are equal however they were put together (a full one, or a delta applied to an older one).
 */
public record ConfigSnapshot(String version, List<WorkloadEntry> workloads, List<ConfigLoader.SourceFile> sources) {
    private static final Comparator<WorkloadEntry> BY_REF = Comparator.comparing(WorkloadEntry::namespace)
            .thenComparing(WorkloadEntry::name);

    public ConfigSnapshot {
        requireNonNull(version, "version");
        workloads = workloads.stream().sorted(BY_REF).toList();
        sources = sources.stream().sorted(Comparator.comparing(ConfigLoader.SourceFile::name)).toList();
    }

    public ConfigSnapshot(String version, List<WorkloadEntry> workloads) {
        this(version, workloads, List.of());
    }

    /** The workloads of {@code config}, each with the endpoints known for it ({@code namespace/name} to addresses). */
    public static ConfigSnapshot of(String version, MeshConfig config, List<ConfigLoader.SourceFile> sources,
            Map<String, List<String>> endpoints) {
        return new ConfigSnapshot(version, config.workloads().stream()
                .map(w -> new WorkloadEntry(w.namespace(), w.name(), config.spiffeIdOf(w), w.metadata().labels(),
                        endpoints.getOrDefault(w.namespace() + "/" + w.name(), List.of())))
                .toList(), sources);
    }

    public Optional<WorkloadEntry> workload(String namespace, String name) {
        return workloads.stream().filter(w -> w.namespace().equals(namespace) && w.name().equals(name)).findFirst();
    }

    public Optional<WorkloadEntry> bySpiffeId(SpiffeId id) {
        return workloads.stream().filter(w -> w.spiffeId().equals(id)).findFirst();
    }
}
