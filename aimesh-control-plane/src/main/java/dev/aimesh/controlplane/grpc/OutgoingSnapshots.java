package dev.aimesh.controlplane.grpc;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import dev.aimesh.api.ApiMessages;
import dev.aimesh.core.registry.ConfigSnapshot;
import dev.aimesh.core.registry.SnapshotDelta;
import dev.aimesh.identity.x509.TrustBundle;

/**
 * The messages that bring a proxy to the current snapshot: the whole of it for a proxy that holds nothing
 * the control plane still knows, otherwise the delta from the version it holds. Each message is built once
 * for every proxy that needs it, so a change costs one build and a small write per proxy. The version a
 * proxy sees is the snapshot's then the trust bundle's ({@code 12.3}), so a new root is a new version too.
 */
final class OutgoingSnapshots {
    /** How many past versions can still be the base of a delta; a proxy further behind gets the whole snapshot. */
    static final int KEPT_VERSIONS = 16;

    /** A message as sent; its nonce names it, so an answer says which message it answers. */
    record Outgoing(String version, long bundleVersion, boolean whole, dev.aimesh.api.v1.ConfigSnapshot message) {}

    private record Target(ConfigSnapshot snapshot, long bundleVersion, dev.aimesh.api.v1.TrustBundle bundle,
            Map<String, Outgoing> byBase) {}

    private final MeshView mesh;
    private final Map<String, ConfigSnapshot> recent = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ConfigSnapshot> eldest) {
            return size() > KEPT_VERSIONS;
        }
    };
    private volatile Target target;

    OutgoingSnapshots(MeshView mesh) {
        this.mesh = mesh;
    }

    /** What a proxy holding {@code held} (empty: nothing known) is sent to reach the current version. */
    Outgoing next(Optional<String> held) {
        Target current = target();
        Optional<ConfigSnapshot> base;
        synchronized (recent) {
            base = held.filter(v -> !v.equals(current.snapshot().version())).map(recent::get);
        }
        String key = base.map(ConfigSnapshot::version).orElse("");
        return current.byBase().computeIfAbsent(key, k -> {
            SnapshotDelta delta = base.map(b -> SnapshotDelta.between(b, current.snapshot()))
                    .orElseGet(() -> SnapshotDelta.whole(current.snapshot()));
            return new Outgoing(current.snapshot().version(), current.bundleVersion(), delta.isWhole(),
                    ApiMessages.toProto(delta, UUID.randomUUID().toString(), current.bundle()));
        });
    }

    private Target target() {
        Target current = target;
        if (current != null && current.snapshot().version().equals(versionOf(mesh.snapshot(), mesh.bundle()))) {
            return current;
        }
        synchronized (recent) {
            // Read again under the lock, so that the target only ever moves to a newer snapshot.
            ConfigSnapshot snapshot = mesh.snapshot();
            TrustBundle bundle = mesh.bundle();
            String version = versionOf(snapshot, bundle);
            if (target == null || !target.snapshot().version().equals(version)) {
                ConfigSnapshot versioned = new ConfigSnapshot(version, snapshot.workloads(), snapshot.sources());
                recent.put(version, versioned);
                target = new Target(versioned, bundle.version(),
                        ApiMessages.bundle(bundle.version(), mesh.trustDomain(), bundle.roots()), new ConcurrentHashMap<>());
            }
            return target;
        }
    }

    private static String versionOf(ConfigSnapshot snapshot, TrustBundle bundle) {
        return snapshot.version() + "." + bundle.version();
    }
}
