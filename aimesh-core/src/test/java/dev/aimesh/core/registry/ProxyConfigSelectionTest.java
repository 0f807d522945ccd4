package dev.aimesh.core.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.authz.PolicySelection;
import dev.aimesh.core.netpol.NetworkPolicies;
import dev.aimesh.core.netpol.Peer;
import dev.aimesh.core.peerauthn.PeerAuthentications;
import dev.aimesh.core.resource.ConfigLoader;
import dev.aimesh.core.resource.MeshConfig;
import dev.aimesh.core.resource.Resource;

class ProxyConfigSelectionTest {
    private static final String MESH = """
            apiVersion: aimesh.dev/v1alpha1
            kind: Workload
            metadata: {name: llm, namespace: models, labels: {app: llm, tier: gold}}
            spec: {inbound: {port: 0, upstream: "127.0.0.1:8000"}}
            ---
            apiVersion: aimesh.dev/v1alpha1
            kind: Workload
            metadata: {name: embed, namespace: models, labels: {app: embed}}
            spec: {inbound: {port: 0, upstream: "127.0.0.1:8001"}}
            ---
            apiVersion: aimesh.dev/v1alpha1
            kind: Workload
            metadata: {name: chat, namespace: apps, labels: {app: chat}}
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: mesh-wide, namespace: istio-system}
            spec: {action: DENY, rules: [{from: [{source: {namespaces: ["evil"]}}]}]}
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: llm-callers, namespace: models}
            spec:
              selector: {matchLabels: {app: llm}}
              rules: [{from: [{source: {namespaces: ["apps"]}}]}]
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: gold-and-silver, namespace: models}
            spec:
              selector: {matchLabels: {app: llm, tier: silver}}
              rules: [{to: [{operation: {methods: ["GET"]}}]}]
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: embed-callers, namespace: models}
            spec:
              selector: {matchLabels: {app: embed}}
              rules: [{to: [{operation: {methods: ["POST"]}}]}]
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: whole-namespace, namespace: models}
            spec: {action: AUDIT, rules: [{}]}
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: named, namespace: models}
            spec:
              targetRefs: [{kind: Service, name: embed}]
              rules: [{to: [{operation: {methods: ["PUT"]}}]}]
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: chat-callers, namespace: apps}
            spec: {rules: [{}]}
            ---
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: default, namespace: istio-system}
            spec: {mtls: {mode: STRICT}}
            ---
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: models, namespace: models}
            spec: {mtls: {mode: PERMISSIVE}}
            ---
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: embed, namespace: models}
            spec: {selector: {matchLabels: {app: embed}}, mtls: {mode: DISABLE}}
            ---
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: apps, namespace: apps}
            spec: {mtls: {mode: DISABLE}}
            ---
            apiVersion: security.istio.io/v1
            kind: RequestAuthentication
            metadata: {name: users, namespace: models}
            spec:
              selector: {matchLabels: {app: llm}}
              jwtRules: [{issuer: "https://issuer.example", jwksUri: "https://issuer.example/keys"}]
            ---
            apiVersion: security.istio.io/v1
            kind: RequestAuthentication
            metadata: {name: chat-users, namespace: apps}
            spec: {jwtRules: [{issuer: "https://other.example", jwksUri: "https://issuer.example/keys"}]}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: llm-in, namespace: models}
            spec:
              podSelector: {matchExpressions: [{key: app, operator: In, values: [llm]}]}
              ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: apps}}}]}]
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: embed-in, namespace: models}
            spec: {podSelector: {matchLabels: {app: embed}}}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: chat-out, namespace: apps}
            spec:
              podSelector: {}
              policyTypes: [Egress]
              egress: [{ports: [{port: 8000}]}]
            ---
            apiVersion: aimesh.dev/v1alpha1
            kind: DataLossPreventionPolicy
            metadata: {name: mesh-secrets, namespace: istio-system}
            spec: {rules: [{detectors: [private-key], action: block}]}
            ---
            apiVersion: aimesh.dev/v1alpha1
            kind: DataLossPreventionPolicy
            metadata: {name: llm-cards, namespace: models}
            spec:
              selector: {matchLabels: {app: llm}}
              rules: [{direction: request, detectors: [payment-card], action: block}]
            ---
            apiVersion: aimesh.dev/v1alpha1
            kind: DataLossPreventionPolicy
            metadata: {name: embed-mail, namespace: models}
            spec:
              selector: {matchLabels: {app: embed}}
              rules: [{detectors: [email], action: redact}]
            ---
            apiVersion: aimesh.dev/v1alpha1
            kind: RateLimitPolicy
            metadata: {name: llm-tokens, namespace: models}
            spec:
              selector: {matchLabels: {app: llm}}
              limits: [{tokens: 1000, per: 1m}]
            """;

    private static MeshConfig config(String yaml) {
        MeshConfig.Assembled assembled = ConfigLoader.assemble(List.of(new ConfigLoader.SourceFile("mesh.yaml", yaml)));
        assertThat(assembled.problems()).isEmpty();
        return assembled.config();
    }

    private static ConfigSnapshot select(MeshConfig config, String namespace, String name) {
        return ProxyConfigSelection.forWorkload(ConfigSnapshot.of("7", config, Map.of()), config, namespace, name);
    }

    private static List<String> keys(ConfigSnapshot snapshot) {
        return snapshot.resources().stream().map(Resource::key).toList();
    }

    @Test
    void aProxyGetsItsOwnPoliciesTheRootNamespacesAndTheWholeRegistryButNoOtherWorkloadsPolicies() {
        MeshConfig config = config(MESH);
        ConfigSnapshot llm = select(config, "models", "llm");

        assertThat(keys(llm)).containsExactlyInAnyOrder(
                "Mesh default/default", "Workload models/llm",
                "AuthorizationPolicy istio-system/mesh-wide", "AuthorizationPolicy models/llm-callers",
                "AuthorizationPolicy models/whole-namespace",
                "PeerAuthentication istio-system/default", "PeerAuthentication models/models",
                "RequestAuthentication models/users", "NetworkPolicy models/llm-in",
                "DataLossPreventionPolicy istio-system/mesh-secrets", "DataLossPreventionPolicy models/llm-cards",
                "RateLimitPolicy models/llm-tokens");
        assertThat(llm.version()).isEqualTo("7");
        assertThat(llm.workloads()).extracting(WorkloadEntry::ref).containsExactly("apps/chat", "models/embed", "models/llm");
    }

    @Test
    void targetRefsAndSelectorsAreHonouredExactly() {
        ConfigSnapshot embed = select(config(MESH), "models", "embed");
        assertThat(keys(embed)).contains("AuthorizationPolicy models/embed-callers", "AuthorizationPolicy models/named",
                        "PeerAuthentication models/embed", "NetworkPolicy models/embed-in")
                .doesNotContain("AuthorizationPolicy models/llm-callers", "AuthorizationPolicy models/gold-and-silver",
                        "RequestAuthentication models/users", "NetworkPolicy models/llm-in", "Workload models/llm");
    }

    @Test
    void anEgressPolicySendsTheWorkloadsWhoseModelPortsItsRulesName() {
        ConfigSnapshot chat = select(config(MESH), "apps", "chat");
        assertThat(keys(chat)).contains("NetworkPolicy apps/chat-out", "Workload models/llm", "Workload models/embed",
                "AuthorizationPolicy apps/chat-callers", "RequestAuthentication apps/chat-users", "PeerAuthentication apps/apps");
    }

    @Test
    void aStreamWithoutAWorkloadGetsTheRegistryAndTheMeshOnly() {
        ConfigSnapshot none = select(config(MESH), "", "");
        assertThat(keys(none)).containsExactly("Mesh default/default");
        assertThat(none.workloads()).hasSize(3);
    }

    /** Its SVID lives on a while: what selects no labels still holds for it, as it held when proxies read all. */
    @Test
    void aWorkloadRemovedFromTheConfigKeepsThePoliciesThatSelectNoLabels() {
        assertThat(keys(select(config(MESH), "models", "removed"))).containsExactlyInAnyOrder("Mesh default/default",
                "AuthorizationPolicy istio-system/mesh-wide", "AuthorizationPolicy models/whole-namespace",
                "PeerAuthentication istio-system/default", "PeerAuthentication models/models",
                "DataLossPreventionPolicy istio-system/mesh-secrets");
    }

    /** What the proxy compiles from its selection is what it would have compiled from the whole config. */
    @Test
    void theSelectionDecidesAsTheWholeConfigDoes() {
        MeshConfig whole = config(MESH);
        for (String ref : List.of("models/llm", "models/embed", "apps/chat")) {
            String[] nsName = ref.split("/");
            ConfigSnapshot selected = select(whole, nsName[0], nsName[1]);
            MeshConfig mine = MeshConfig.assemble(selected.resources()).config();
            Map<String, String> labels = selected.workload(nsName[0], nsName[1]).orElseThrow().labels();
            String root = whole.mesh().authorization().rootNamespace();
            assertThat(PolicySelection.forWorkload(mine.authorizationPolicies(), root, nsName[0], nsName[1], labels)).as(ref)
                    .isNotEmpty()
                    .isEqualTo(PolicySelection.forWorkload(whole.authorizationPolicies(), root, nsName[0], nsName[1], labels));
            assertThat(PolicySelection.authenticationsFor(mine.requestAuthentications(), root, nsName[0], nsName[1], labels))
                    .as(ref).isEqualTo(PolicySelection.authenticationsFor(whole.requestAuthentications(), root, nsName[0],
                            nsName[1], labels));
            assertThat(PolicySelection.dataLossPreventionFor(mine.dataLossPreventionPolicies(), root, nsName[0], nsName[1],
                    labels)).as(ref).isNotEmpty().isEqualTo(PolicySelection.dataLossPreventionFor(
                            whole.dataLossPreventionPolicies(), root, nsName[0], nsName[1], labels));
            assertThat(PolicySelection.rateLimitsFor(mine.rateLimitPolicies(), root, nsName[0], nsName[1], labels)).as(ref)
                    .isEqualTo(PolicySelection.rateLimitsFor(whole.rateLimitPolicies(), root, nsName[0], nsName[1], labels));
            for (int port : List.of(8000, 9000)) {
                assertThat(PeerAuthentications.modeFor(mine, nsName[0], labels, port)).as(ref)
                        .isEqualTo(PeerAuthentications.modeFor(whole, nsName[0], labels, port));
            }
            Peer self = Peer.workload(nsName[0], labels);
            for (WorkloadEntry other : selected.workloads()) {
                Peer peer = Peer.workload(other.namespace(), other.labels());
                assertThat(NetworkPolicies.ingressAllowed(mine, self, peer, 8000)).as(ref)
                        .isEqualTo(NetworkPolicies.ingressAllowed(whole, self, peer, 8000));
                assertThat(NetworkPolicies.egressAllowed(mine, self, peer, 8000)).as(ref)
                        .isEqualTo(NetworkPolicies.egressAllowed(whole, self, peer, 8000));
            }
        }
    }

    @Test
    void aChangeToAnotherWorkloadsPolicyLeavesTheSelectionAsItWas() {
        MeshConfig before = config(MESH);
        MeshConfig after = config(MESH.replace("methods: [\"POST\"]", "methods: [\"DELETE\"]"));
        assertThat(select(after, "models", "llm").sameContent(select(before, "models", "llm"))).isTrue();
        assertThat(select(after, "models", "embed").sameContent(select(before, "models", "embed"))).isFalse();
    }
}
