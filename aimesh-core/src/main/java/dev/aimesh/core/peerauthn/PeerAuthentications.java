package dev.aimesh.core.peerauthn;

import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import dev.aimesh.core.peerauthn.EffectiveMtls.Scope;
import dev.aimesh.core.resource.MeshConfig;
import dev.aimesh.core.resource.PeerAuthentication;
import dev.aimesh.core.resource.PeerAuthentication.MtlsMode;

/**
 * Resolves the mTLS mode of a workload's port as Istio does. A policy without selector in the root namespace
 * is mesh-wide; one without selector in another namespace is namespace-wide; one with a selector applies to
 * the workloads of its namespace carrying all its labels (Istio ignores selector policies in the root
 * namespace, and so do we). The workload's port-level mode wins over its workload mode, which wins over the
 * namespace's, which wins over the mesh's; UNSET at any level defers to the next broader one, and PERMISSIVE
 * is the default.
 *
 * <p>When several policies compete for one scope (two namespace-wide policies, two selector policies matching
 * one workload), Istio takes the oldest; resources here carry no creation time, so the first by
 * {@code namespace/name} wins, deterministically.
 */
public final class PeerAuthentications {
    private PeerAuthentications() {}

    public static EffectiveMtls modeFor(MeshConfig config, String namespace, Map<String, String> labels, int port) {
        String root = config.mesh().authorization().rootNamespace();
        EffectiveMtls effective = EffectiveMtls.DEFAULT;
        Optional<PeerAuthentication> mesh = first(config, p -> p.metadata().namespace().equals(root) && p.selector().isEmpty());
        if (mesh.isPresent()) {
            effective = narrower(effective, mesh.get().mode(), Scope.MESH, mesh.get());
        }
        if (namespace.equals(root)) {
            return effective;
        }
        Optional<PeerAuthentication> ns = first(config, p -> p.metadata().namespace().equals(namespace) && p.selector().isEmpty());
        if (ns.isPresent()) {
            effective = narrower(effective, ns.get().mode(), Scope.NAMESPACE, ns.get());
        }
        Optional<PeerAuthentication> workload = first(config, p -> p.metadata().namespace().equals(namespace)
                && p.selector().map(s -> selects(s, labels)).orElse(false));
        if (workload.isPresent()) {
            effective = narrower(effective, workload.get().mode(), Scope.WORKLOAD, workload.get());
            effective = narrower(effective, workload.get().portModes().getOrDefault(port, MtlsMode.UNSET), Scope.PORT,
                    workload.get());
        }
        return effective;
    }

    private static EffectiveMtls narrower(EffectiveMtls broader, MtlsMode mode, Scope scope, PeerAuthentication policy) {
        return mode == MtlsMode.UNSET ? broader : new EffectiveMtls(mode, scope, Optional.of(policy.ref()));
    }

    /** The config keeps policies sorted by {@code namespace/name}, so the first match is the tie-break. */
    private static Optional<PeerAuthentication> first(MeshConfig config, Predicate<PeerAuthentication> test) {
        return config.peerAuthentications().stream().filter(test).findFirst();
    }

    private static boolean selects(Map<String, String> selector, Map<String, String> labels) {
        return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }
}
