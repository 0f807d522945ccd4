package dev.aimesh.controlplane.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import dev.aimesh.api.ApiMessages;
import dev.aimesh.core.registry.ConfigSnapshot;
import dev.aimesh.core.resource.ConfigLoader.SourceFile;
import dev.aimesh.identity.x509.TrustBundle;

class OutgoingSnapshotsTest {
    private static final SourceFile WORKLOADS = new SourceFile("workloads.yaml", "x".repeat(90_000));

    private final class Mesh implements MeshView {
        ConfigSnapshot snapshot = new ConfigSnapshot("1", List.of(), List.of(WORKLOADS, new SourceFile("policy.yaml", "p1")));
        TrustBundle bundle = new TrustBundle(1, List.of());

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

        void policy(String version, String text) {
            snapshot = new ConfigSnapshot(version, List.of(), List.of(WORKLOADS, new SourceFile("policy.yaml", text)));
        }
    }

    private final Mesh mesh = new Mesh();
    private final OutgoingSnapshots outgoing = new OutgoingSnapshots(mesh);

    @Test
    void aProxyThatHoldsNothingGetsTheWholeSnapshotAndAfterwardsOnlyWhatChanged() {
        var first = outgoing.next(Optional.empty());
        assertThat(first.whole()).isTrue();
        assertThat(first.version()).isEqualTo("1.1");
        assertThat(first.message().getConfigFilesCount()).isEqualTo(2);

        mesh.policy("2", "p2");
        var delta = outgoing.next(Optional.of("1.1"));

        assertThat(delta.whole()).isFalse();
        assertThat(delta.version()).isEqualTo("2.1");
        assertThat(delta.message().getBaseVersion()).isEqualTo("1.1");
        assertThat(delta.message().getConfigFilesList()).extracting(f -> f.getName()).containsExactly("policy.yaml");
        assertThat(delta.message().getSerializedSize()).isLessThan(first.message().getSerializedSize() / 100);
        assertThat(ApiMessages.fromProto(delta.message()).applyTo(Optional.of(
                ApiMessages.fromProto(first.message()).applyTo(Optional.empty()))).sources())
                .containsExactly(new SourceFile("policy.yaml", "p2"), WORKLOADS);
    }

    @Test
    void eachMessageIsBuiltOnceForEveryProxyThatNeedsIt() {
        outgoing.next(Optional.empty());
        mesh.policy("2", "p2");

        assertThat(outgoing.next(Optional.of("1.1"))).isSameAs(outgoing.next(Optional.of("1.1")));
        assertThat(outgoing.next(Optional.empty())).isSameAs(outgoing.next(Optional.empty()));
    }

    @Test
    void aNewRootIsANewVersion() {
        outgoing.next(Optional.empty());
        mesh.bundle = new TrustBundle(2, List.of());

        var next = outgoing.next(Optional.of("1.1"));
        assertThat(next.version()).isEqualTo("1.2");
        assertThat(next.bundleVersion()).isEqualTo(2);
        assertThat(next.message().getBundle().getVersion()).isEqualTo(2);
        assertThat(next.message().getConfigFilesCount()).isZero();
    }

    @Test
    void aProxyTooFarBehindOrOnAnUnknownVersionGetsTheWholeSnapshot() {
        outgoing.next(Optional.empty());
        for (int v = 2; v <= OutgoingSnapshots.KEPT_VERSIONS + 2; v++) {
            mesh.policy(Integer.toString(v), "p" + v);
            outgoing.next(Optional.empty());
        }

        assertThat(outgoing.next(Optional.of("1.1")).whole()).isTrue();
        assertThat(outgoing.next(Optional.of("999.1")).whole()).isTrue();
        assertThat(outgoing.next(Optional.of("3.1")).whole()).isFalse();
    }
}
