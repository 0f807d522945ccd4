package dev.aimesh.controlplane.grpc;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import dev.aimesh.api.ApiMessages;
import dev.aimesh.core.registry.ConfigSnapshot;
import dev.aimesh.core.registry.ProxyConfigSelection;
import dev.aimesh.core.registry.SnapshotDelta;
import dev.aimesh.core.registry.WorkloadEntry;
import dev.aimesh.core.resource.MeshConfig;
import dev.aimesh.identity.x509.TrustBundle;

/**
 * The messages that bring the proxy of one workload to the current snapshot: what of it concerns that
 * workload ({@link ProxyConfigSelection}), whole for a proxy that holds nothing we know of, otherwise the
 * delta from the view it holds, and nothing at all when no change since concerns it. Each message is built
 * once for every proxy of a workload that needs it, so a change costs one build per workload and a small
 * write per proxy. The version a proxy sees is the snapshot's then the trust bundle's ({@code 12.3}), so a
 * new root is a new version too; a proxy skips the versions that did not concern it.
 */
final class OutgoingSnapshots {
    /**
     * A message as sent; its nonce names it, so an answer says which message it answers. {@code view} (the
     * resources) and {@code registry} are what the proxy holds once it applied it: the base of the next delta.
     */
    record Outgoing(String version, long bundleVersion, boolean whole, ConfigSnapshot view, List<WorkloadEntry> registry,
            dev.aimesh.api.v1.ConfigSnapshot message) {}

    /** How the registry changed since a version, the same for every proxy holding it, its entries made messages once. */
    private record RegistryChange(SnapshotDelta delta, List<dev.aimesh.api.v1.WorkloadEntry> entries) {}

    /**
     * The current version: its selections by workload (resources only), its messages by workload and base, and
     * its registry changes by base version ("" for the whole registry).
     */
    private record Target(ConfigSnapshot snapshot, ProxyConfigSelection.Index selection, long bundleVersion,
            dev.aimesh.api.v1.TrustBundle bundle, Map<String, ConfigSnapshot> views, Map<String, Outgoing> byWorkloadAndBase,
            Map<String, RegistryChange> registryChanges) {}

    private final MeshView mesh;
    private final Object lock = new Object();
    private volatile Target target;

    OutgoingSnapshots(MeshView mesh) {
        this.mesh = mesh;
    }

    /**
     * What the proxy of {@code workload} ({@code namespace/name}, empty for one that serves none) holding
     * {@code held} (what it was last sent; empty: nothing known) is sent to reach the current version; empty
     * when nothing that concerns it changed.
     */
    Optional<Outgoing> next(String workload, Optional<Outgoing> held) {
        Target current = target();
        ConfigSnapshot view = current.views().computeIfAbsent(workload, w -> select(current, w));
        String base = held.map(Outgoing::version).orElse("");
        RegistryChange registry = current.registryChanges().computeIfAbsent(base, b -> registryChange(held, current));
        if (held.isPresent() && held.get().bundleVersion() == current.bundleVersion() && registry.delta().isEmpty()
                && held.get().view().resources().equals(view.resources())) {
            return Optional.empty();
        }
        return Optional.of(current.byWorkloadAndBase().computeIfAbsent(workload + "@" + base, k -> {
            SnapshotDelta delta = held.map(h -> SnapshotDelta.between(h.view(), view, registry.delta()))
                    .orElseGet(() -> new SnapshotDelta(Optional.empty(), view.version(), current.snapshot().workloads(), Set.of(),
                            view.resources(), Set.of()));
            return new Outgoing(view.version(), current.bundleVersion(), delta.isWhole(), view, current.snapshot().workloads(),
                    ApiMessages.toProto(delta, registry.entries(), UUID.randomUUID().toString(), current.bundle()));
        }));
    }

    private static ConfigSnapshot select(Target current, String workload) {
        String[] ref = workload.split("/", 2);
        return new ConfigSnapshot(current.snapshot().version(), List.of(),
                current.selection().resourcesFor(ref[0], ref.length == 2 ? ref[1] : ""));
    }

    /** Held versions are versions of the mesh's snapshot, whose registry every proxy is sent. */
    private RegistryChange registryChange(Optional<Outgoing> held, Target current) {
        List<WorkloadEntry> now = current.snapshot().workloads();
        if (held.isEmpty()) {
            return new RegistryChange(SnapshotDelta.whole(new ConfigSnapshot(current.snapshot().version(), now)),
                    ApiMessages.entries(now));
        }
        SnapshotDelta delta = SnapshotDelta.between(new ConfigSnapshot(held.get().version(), held.get().registry()),
                new ConfigSnapshot(current.snapshot().version(), now));
        return new RegistryChange(delta, ApiMessages.entries(delta.workloads()));
    }

    private Target target() {
        Target current = target;
        if (current != null && current.snapshot().version().equals(versionOf(mesh.snapshot(), mesh.bundle()))) {
            return current;
        }
        synchronized (lock) {
            // Read again under the lock, so that the target only ever moves to a newer snapshot.
            ConfigSnapshot snapshot = mesh.snapshot();
            TrustBundle bundle = mesh.bundle();
            String version = versionOf(snapshot, bundle);
            if (target == null || !target.snapshot().version().equals(version)) {
                // The snapshot holds the config's resources: assembled and indexed once per version, for every selection.
                var selection = ProxyConfigSelection.of(MeshConfig.assemble(snapshot.resources()).config());
                target = new Target(snapshot.withVersion(version), selection, bundle.version(),
                        ApiMessages.bundle(bundle.version(), mesh.trustDomain(), bundle.roots()), new ConcurrentHashMap<>(),
                        new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
            }
            return target;
        }
    }

    private static String versionOf(ConfigSnapshot snapshot, TrustBundle bundle) {
        return snapshot.version() + "." + bundle.version();
    }
}
