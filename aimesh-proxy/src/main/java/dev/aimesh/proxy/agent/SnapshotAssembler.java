package dev.aimesh.proxy.agent;

import java.util.Map;
import dev.aimesh.core.peerauthn.PeerAuthentications;
import dev.aimesh.core.registry.ConfigSnapshot;
import dev.aimesh.core.registry.WorkloadEntry;
import dev.aimesh.proxy.snapshot.NetworkView;
import dev.aimesh.proxy.snapshot.ProxySnapshot;
import dev.aimesh.proxy.snapshot.RegistryIndex;

/**
 * Turns what {@link PolicyCompiler} made of a received snapshot into the one {@link ProxySnapshot} the proxy
 * publishes: the policy pieces of this workload (its port's PeerAuthentication mode, its NetworkPolicies, the
 * registry indexed) and the filter chains assembled for them, all of one version.
 */
public final class SnapshotAssembler {
    private final String namespace;
    private final String name;
    private final int port;
    private final ProxySnapshot.ChainAssembly chains;

    /** @param port the model server's port: the one PeerAuthentication's portLevelMtls and NetworkPolicy's ports name */
    public SnapshotAssembler(String namespace, String name, int port, ProxySnapshot.ChainAssembly chains) {
        this.namespace = namespace;
        this.name = name;
        this.port = port;
        this.chains = chains;
    }

    /** What is enforced before the first snapshot: mTLS required, no policy, no registry. */
    public ProxySnapshot initial() {
        return ProxySnapshot.assemble(ProxySnapshot.Policy.NONE, chains);
    }

    public ProxySnapshot assemble(ConfigSnapshot registry, PolicyCompiler.Result.Compiled compiled) {
        Map<String, String> labels = registry.workload(namespace, name).map(WorkloadEntry::labels).orElse(Map.of());
        ProxySnapshot.Policy policy = new ProxySnapshot.Policy(registry.version(), compiled.authorizer(),
                compiled.authenticator(), PeerAuthentications.modeFor(compiled.config(), namespace, labels, port),
                NetworkView.of(compiled.config(), namespace, labels, port), RegistryIndex.of(registry),
                compiled.forwardedPath(), compiled.dlp(), compiled.rateLimits());
        return ProxySnapshot.assemble(policy, chains);
    }
}
