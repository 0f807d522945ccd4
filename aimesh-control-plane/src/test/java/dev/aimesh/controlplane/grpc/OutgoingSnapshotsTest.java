package dev.aimesh.controlplane.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import dev.aimesh.api.ApiMessages;
import dev.aimesh.core.registry.ConfigSnapshot;
import dev.aimesh.core.resource.ConfigLoader;
import dev.aimesh.core.resource.MeshConfig;
import dev.aimesh.core.resource.Resource;
import dev.aimesh.identity.x509.TrustBundle;

class OutgoingSnapshotsTest {
    private static final String WORKLOADS = """
            apiVersion: aimesh.dev/v1alpha1
            kind: Workload
            metadata: {name: llm, namespace: models, labels: {app: llm}}
            ---
            apiVersion: aimesh.dev/v1alpha1
            kind: Workload
            metadata: {name: embed, namespace: models, labels: {app: embed}}
            ---
            apiVersion: aimesh.dev/v1alpha1
            kind: Workload
            metadata: {name: chat, namespace: apps}
            """;

    private static String policy(String app, String method) {
        return """
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: %s-callers, namespace: models}
                spec:
                  selector: {matchLabels: {app: %s}}
                  rules: [{to: [{operation: {methods: ["%s"]}}]}]
                """.formatted(app, app, method);
    }

    private final class Mesh implements MeshView {
        ConfigSnapshot snapshot;
        TrustBundle bundle = new TrustBundle(1, List.of());

        Mesh() {
            policies("1", "POST", "POST");
        }

        @Override
        public ConfigSnapshot snapshot() {
            return snapshot;
        }

        @Override
        public TrustBundle bundle() {
            return bundle;
        }

        @Override
        public String trustDomain() {
            return "cluster.local";
        }

        void policies(String version, String llmMethod, String embedMethod) {
            MeshConfig.Assembled assembled = ConfigLoader.assemble(List.of(new ConfigLoader.SourceFile("w.yaml", WORKLOADS),
                    new ConfigLoader.SourceFile("llm.yaml", policy("llm", llmMethod)),
                    new ConfigLoader.SourceFile("embed.yaml", policy("embed", embedMethod))));
            assertThat(assembled.problems()).isEmpty();
            snapshot = ConfigSnapshot.of(version, assembled.config(), Map.of("models/llm", List.of("127.0.0.1:1")));
        }
    }

    private final Mesh mesh = new Mesh();
    private final OutgoingSnapshots outgoing = new OutgoingSnapshots(mesh);

    private static List<String> keys(dev.aimesh.api.v1.ConfigSnapshot message) {
        return ApiMessages.fromProto(message).resources().stream().map(Resource::key).toList();
    }

    @Test
    void aProxyThatHoldsNothingGetsWhatConcernsItWholeAndAfterwardsOnlyWhatChanged() {
        var first = outgoing.next("models/llm", Optional.empty()).orElseThrow();
        assertThat(first.whole()).isTrue();
        assertThat(first.version()).isEqualTo("1.1");
        assertThat(first.message().getConfigFormat()).isEqualTo(ApiMessages.CONFIG_FORMAT);
        assertThat(keys(first.message())).containsExactly("AuthorizationPolicy models/llm-callers", "Mesh default/default",
                "Workload models/llm");
        assertThat(first.message().getWorkloadsCount()).isEqualTo(3);

        mesh.policies("2", "GET", "POST");
        var delta = outgoing.next("models/llm", Optional.of(first)).orElseThrow();

        assertThat(delta.whole()).isFalse();
        assertThat(delta.version()).isEqualTo("2.1");
        assertThat(delta.message().getBaseVersion()).isEqualTo("1.1");
        assertThat(keys(delta.message())).containsExactly("AuthorizationPolicy models/llm-callers");
        assertThat(delta.message().getWorkloadsCount()).isZero();
        var applied = ApiMessages.fromProto(delta.message()).applyTo(Optional.of(
                ApiMessages.fromProto(first.message()).applyTo(Optional.empty())));
        assertThat(applied.resources()).isEqualTo(delta.view().resources());
        assertThat(applied.workloads()).isEqualTo(mesh.snapshot.workloads());
    }

    @Test
    void aChangeToAnotherWorkloadsPolicySendsThisProxyNothing() {
        var llm = outgoing.next("models/llm", Optional.empty()).orElseThrow();
        var embed = outgoing.next("models/embed", Optional.empty()).orElseThrow();

        mesh.policies("2", "POST", "DELETE");

        assertThat(outgoing.next("models/llm", Optional.of(llm))).isEmpty();
        var changed = outgoing.next("models/embed", Optional.of(embed)).orElseThrow();
        assertThat(keys(changed.message())).containsExactly("AuthorizationPolicy models/embed-callers");
        // and a proxy that only calls out gets nothing of either
        var chat = outgoing.next("apps/chat", Optional.empty()).orElseThrow();
        assertThat(keys(chat.message())).containsExactly("Mesh default/default", "Workload apps/chat");
        mesh.policies("3", "PUT", "PUT");
        assertThat(outgoing.next("apps/chat", Optional.of(chat))).isEmpty();
    }

    @Test
    void eachMessageIsBuiltOnceForEveryProxyOfAWorkloadThatNeedsIt() {
        var first = outgoing.next("models/llm", Optional.empty()).orElseThrow();
        mesh.policies("2", "GET", "POST");

        assertThat(outgoing.next("models/llm", Optional.of(first))).containsSame(
                outgoing.next("models/llm", Optional.of(first)).orElseThrow());
        assertThat(outgoing.next("models/llm", Optional.empty())).containsSame(
                outgoing.next("models/llm", Optional.empty()).orElseThrow());
        assertThat(outgoing.next("models/embed", Optional.empty()).orElseThrow())
                .isNotSameAs(outgoing.next("models/llm", Optional.empty()).orElseThrow());
    }

    @Test
    void aNewRootIsANewVersionForEveryProxy() {
        var first = outgoing.next("models/llm", Optional.empty()).orElseThrow();
        mesh.bundle = new TrustBundle(2, List.of());

        var next = outgoing.next("models/llm", Optional.of(first)).orElseThrow();
        assertThat(next.version()).isEqualTo("1.2");
        assertThat(next.bundleVersion()).isEqualTo(2);
        assertThat(next.message().getBundle().getVersion()).isEqualTo(2);
        assertThat(next.message().getResourcesCount()).isZero();
    }

    /** The registry is the same for every workload: its change is worked out and made messages once for all. */
    @Test
    void theRegistrysChangeIsBuiltOnceForEveryWorkload() {
        var llm = outgoing.next("models/llm", Optional.empty()).orElseThrow();
        var embed = outgoing.next("models/embed", Optional.empty()).orElseThrow();
        assertThat(llm.message().getWorkloads(0)).isSameAs(embed.message().getWorkloads(0));
        MeshConfig config = MeshConfig.assemble(mesh.snapshot.resources()).config();
        mesh.snapshot = ConfigSnapshot.of("2", config, Map.of("models/llm", List.of("127.0.0.1:2")));

        var llmNext = outgoing.next("models/llm", Optional.of(llm)).orElseThrow();
        var embedNext = outgoing.next("models/embed", Optional.of(embed)).orElseThrow();
        assertThat(llmNext.message().getWorkloadsCount()).isOne();
        assertThat(llmNext.message().getWorkloads(0)).isSameAs(embedNext.message().getWorkloads(0));
    }

    @Test
    void anEndpointChangeReachesEveryProxy() {
        var chat = outgoing.next("apps/chat", Optional.empty()).orElseThrow();
        MeshConfig config = MeshConfig.assemble(mesh.snapshot.resources()).config();
        mesh.snapshot = ConfigSnapshot.of("2", config, Map.of("models/llm", List.of("127.0.0.1:2")));

        var next = outgoing.next("apps/chat", Optional.of(chat)).orElseThrow();
        assertThat(next.message().getWorkloadsList()).extracting(w -> w.getName() + " " + w.getEndpointsList())
                .containsExactly("llm [127.0.0.1:2]");
        assertThat(next.message().getResourcesCount()).isZero();
    }
}
