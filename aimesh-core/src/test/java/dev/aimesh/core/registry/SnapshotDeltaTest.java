package dev.aimesh.core.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.resource.AuthorizationPolicy;
import dev.aimesh.core.resource.Mesh;
import dev.aimesh.core.resource.ObjectMeta;
import dev.aimesh.core.resource.Resource;
import dev.aimesh.core.resource.Workload;

class SnapshotDeltaTest {
    private static WorkloadEntry entry(String name, String... endpoints) {
        return new WorkloadEntry("models", name, SpiffeId.parse("spiffe://cluster.local/ns/models/sa/" + name),
                Map.of("app", name), List.of(endpoints));
    }

    private static AuthorizationPolicy policy(String name, AuthorizationPolicy.Action action) {
        return new AuthorizationPolicy(ObjectMeta.of(name, "models"), dev.aimesh.core.config.Position.unknown("p.yaml"),
                Optional.empty(), List.of(), action, List.of(), false);
    }

    private static final Workload LLM = Workload.of(ObjectMeta.of("llm", "models"), "llm");

    private static final ConfigSnapshot V1 = new ConfigSnapshot("1.1",
            List.of(entry("llm", "127.0.0.1:1"), entry("embed"), entry("old")),
            List.of(Mesh.defaults(), LLM, policy("callers", AuthorizationPolicy.Action.ALLOW),
                    policy("gone", AuthorizationPolicy.Action.DENY)));

    private static final ConfigSnapshot V2 = new ConfigSnapshot("2.1",
            List.of(entry("llm", "127.0.0.1:1", "127.0.0.1:2"), entry("embed"), entry("asr")),
            List.of(Mesh.defaults(), LLM, policy("callers", AuthorizationPolicy.Action.DENY),
                    policy("a-new", AuthorizationPolicy.Action.AUDIT)));

    @Test
    void aDeltaCarriesOnlyWhatChangedAndRebuildsTheNewSnapshotExactly() {
        SnapshotDelta delta = SnapshotDelta.between(V1, V2);

        assertThat(delta.baseVersion()).contains("1.1");
        assertThat(delta.workloads()).extracting(WorkloadEntry::name).containsExactlyInAnyOrder("llm", "asr");
        assertThat(delta.removedWorkloads()).containsExactly("models/old");
        assertThat(delta.resources()).extracting(Resource::key)
                .containsExactlyInAnyOrder("AuthorizationPolicy models/callers", "AuthorizationPolicy models/a-new");
        assertThat(delta.removedResources()).containsExactly("AuthorizationPolicy models/gone");
        assertThat(delta.isEmpty()).isFalse();
        assertThat(delta.applyTo(Optional.of(V1))).isEqualTo(V2);
    }

    @Test
    void snapshotsWithTheSameContentAreEqualWhateverTheOrderTheyWereBuiltIn() {
        ConfigSnapshot reordered = new ConfigSnapshot("2.1", V2.workloads().reversed(), V2.resources().reversed());
        assertThat(reordered).isEqualTo(V2);
        assertThat(SnapshotDelta.between(V2, reordered).workloads()).isEmpty();
        assertThat(SnapshotDelta.between(V2, reordered).resources()).isEmpty();
        assertThat(SnapshotDelta.between(V2, reordered.withVersion("3.1")).isEmpty()).isTrue();
        assertThat(V2.sameContent(reordered.withVersion("3.1"))).isTrue();
    }

    @Test
    void aDeltaForAnotherVersionIsRefusedAndAWholeSnapshotReplacesAnything() {
        SnapshotDelta delta = SnapshotDelta.between(V1, V2);
        assertThatThrownBy(() -> delta.applyTo(Optional.of(V2))).hasMessage("a delta from config 1.1, but the config here is 2.1");
        assertThatThrownBy(() -> delta.applyTo(Optional.empty())).hasMessageContaining("the config here is none");

        assertThat(SnapshotDelta.whole(V2).applyTo(Optional.of(V1))).isEqualTo(V2);
        assertThat(SnapshotDelta.whole(V2).applyTo(Optional.empty())).isEqualTo(V2);
    }
}
