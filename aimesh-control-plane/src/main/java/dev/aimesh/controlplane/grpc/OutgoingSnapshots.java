package dev.aimesh.controlplane.grpc;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import dev.aimesh.api.ApiMessages;
import dev.aimesh.core.registry.ConfigSnapshot;
import dev.aimesh.core.registry.ProxyConfigSelection;
import dev.aimesh.core.registry.SnapshotDelta;
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
     * A message as sent; its nonce names it, so an answer says which message it answers. {@code view} is the
     * snapshot the proxy holds once it applied it: the base of the next delta.
     */
    record Outgoing(String version, long bundleVersion, boolean whole, ConfigSnapshot view,
            dev.aimesh.api.v1.ConfigSnapshot message) {}

    private record Target(ConfigSnapshot snapshot, MeshConfig config, long bundleVersion, dev.aimesh.api.v1.TrustBundle bundle,
            Map<String, ConfigSnapshot> views, Map<String, Outgoing> byWorkloadAndBase) {}

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
        if (held.isPresent() && held.get().bundleVersion() == current.bundleVersion() && held.get().view().sameContent(view)) {
            return Optional.empty();
        }
        String key = workload + "@" + held.map(Outgoing::version).orElse("");
        return Optional.of(current.byWorkloadAndBase().computeIfAbsent(key, k -> {
            SnapshotDelta delta = held.map(h -> SnapshotDelta.between(h.view(), view)).orElseGet(() -> SnapshotDelta.whole(view));
            return new Outgoing(view.version(), current.bundleVersion(), delta.isWhole(), view,
                    ApiMessages.toProto(delta, UUID.randomUUID().toString(), current.bundle()));
        }));
    }

    private static ConfigSnapshot select(Target current, String workload) {
        String[] ref = workload.split("/", 2);
        return ProxyConfigSelection.forWorkload(current.snapshot(), current.config(), ref[0], ref.length == 2 ? ref[1] : "");
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
                // The snapshot holds the config's resources: assembled again once per version, for every selection.
                MeshConfig config = MeshConfig.assemble(snapshot.resources()).config();
                target = new Target(snapshot.withVersion(version), config, bundle.version(),
                        ApiMessages.bundle(bundle.version(), mesh.trustDomain(), bundle.roots()), new ConcurrentHashMap<>(),
                        new ConcurrentHashMap<>());
            }
            return target;
        }
    }

    private static String versionOf(ConfigSnapshot snapshot, TrustBundle bundle) {
        return snapshot.version() + "." + bundle.version();
    }
}
