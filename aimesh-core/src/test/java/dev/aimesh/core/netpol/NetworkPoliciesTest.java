package dev.aimesh.core.netpol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.authz.IpBlock;
import dev.aimesh.core.config.Diagnostic;
import dev.aimesh.core.resource.ConfigLoader;
import dev.aimesh.core.resource.MeshConfig;

class NetworkPoliciesTest {
    private static final String POLICIES = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: llm, namespace: models}
            spec:
              podSelector: {matchLabels: {app: llm}}
              ingress:
              - from: [{podSelector: {matchLabels: {app: web}}}]
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: deny-all, namespace: models}
            spec: {podSelector: {}}
            """;

    private static MeshConfig.Assembled assemble(String yaml) {
        var loaded = ConfigLoader.load(List.of(new ConfigLoader.SourceFile("np.yaml", yaml)));
        assertThat(loaded.diagnostics()).isEmpty();
        return MeshConfig.assemble(loaded.resources());
    }

    @Test
    void decisionsNameWhatDecided() {
        MeshConfig config = assemble(POLICIES).config();
        Peer llm = Peer.workload("models", Map.of("app", "llm"));
        var allowed = NetworkPolicies.ingressAllowed(config, llm, Peer.workload("models", Map.of("app", "web")), 80);
        assertThat(allowed.reason()).isEqualTo("allowed by policy models/llm, rule 0");
        assertThat(allowed.selectedBy()).containsExactly("models/deny-all", "models/llm");
        var denied = NetworkPolicies.ingressAllowed(config, llm, Peer.external(IpBlock.literal("10.0.0.1").orElseThrow()), 80);
        assertThat(denied.allowed()).isFalse();
        assertThat(denied.reason()).isEqualTo("no policy allows (selected by models/deny-all, models/llm)");
        var open = NetworkPolicies.ingressAllowed(config, Peer.workload("apps", Map.of()), llm, 80);
        assertThat(open.allowed()).isTrue();
        assertThat(open.reason()).isEqualTo("not selected by any policy");
    }

    @Test
    void onlyWorkloadsAreSelected() {
        MeshConfig config = assemble(POLICIES).config();
        Peer outsider = Peer.external(IpBlock.literal("192.0.2.1").orElseThrow());
        assertThat(NetworkPolicies.egressAllowed(config, outsider, Peer.workload("models", Map.of()), 80).verdict())
                .isEqualTo(NetworkPolicyDecision.Verdict.NOT_SELECTED);
    }

    @Test
    void aPolicyDeclaredTwiceIsAConflict() {
        var assembled = assemble(POLICIES + "---\n" + POLICIES.substring(0, POLICIES.indexOf("---")));
        assertThat(assembled.problems()).extracting(Diagnostic::toString).containsExactly(
                "np.yaml:14:1: metadata.name: NetworkPolicy models/llm is declared twice (first at np.yaml:1:1)");
        assertThat(assembled.config().networkPolicies()).hasSize(2);
    }
}
