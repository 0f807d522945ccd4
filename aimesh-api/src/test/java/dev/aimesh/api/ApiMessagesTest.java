package dev.aimesh.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.registry.ConfigSnapshot;
import dev.aimesh.core.registry.SnapshotDelta;
import dev.aimesh.core.registry.WorkloadEntry;
import dev.aimesh.core.config.Position;
import dev.aimesh.core.resource.AuthorizationPolicy;
import dev.aimesh.core.resource.Mesh;
import dev.aimesh.core.resource.ObjectMeta;
import dev.aimesh.core.resource.Workload;

class ApiMessagesTest {
    private static final WorkloadEntry LLM = new WorkloadEntry("models", "llm",
            SpiffeId.parse("spiffe://td/ns/models/sa/llm"), Map.of("app", "llm"), List.of("127.0.0.1:15006"));
    private static final WorkloadEntry EMBED = new WorkloadEntry("models", "embed",
            SpiffeId.parse("spiffe://td/ns/models/sa/embed"), Map.of(), List.of());

    private static AuthorizationPolicy policy(String name, AuthorizationPolicy.Action action) {
        return new AuthorizationPolicy(ObjectMeta.of(name, "models"), Position.unknown("p.yaml"), Optional.empty(), List.of(),
                action, List.of(), false);
    }

    @Test
    void aSnapshotSurvivesTheWire() {
        ConfigSnapshot snapshot = new ConfigSnapshot("7.2", List.of(new WorkloadEntry("models", "llm",
                SpiffeId.parse("spiffe://td/ns/models/sa/llm"), Map.of("app", "llm"), List.of("127.0.0.1:15006"))));
        var message = ApiMessages.toProto(snapshot, "nonce-1", ApiMessages.bundle(2, "td", List.of()));
        assertThat(message.getNonce()).isEqualTo("nonce-1");
        assertThat(message.getBundle().getVersion()).isEqualTo(2);
        assertThat(message.getBaseVersion()).isEmpty();
        assertThat(ApiMessages.fromProto(message).applyTo(Optional.empty())).isEqualTo(snapshot);
    }

    @Test
    void aDeltaSurvivesTheWire() {
        Workload llm = Workload.of(ObjectMeta.of("llm", "models"), "llm");
        ConfigSnapshot before = new ConfigSnapshot("7.2", List.of(LLM, EMBED), List.of(Mesh.defaults(), llm,
                policy("a", AuthorizationPolicy.Action.ALLOW), policy("b", AuthorizationPolicy.Action.DENY)));
        ConfigSnapshot after = new ConfigSnapshot("8.2", List.of(LLM.withEndpoints(List.of("127.0.0.1:2"))),
                List.of(Mesh.defaults(), llm, policy("a", AuthorizationPolicy.Action.AUDIT)));
        var message = ApiMessages.toProto(SnapshotDelta.between(before, after), "nonce-2", ApiMessages.bundle(2, "td", List.of()));

        assertThat(message.getBaseVersion()).isEqualTo("7.2");
        assertThat(message.getRemovedWorkloadsList()).containsExactly("models/embed");
        assertThat(message.getRemovedResourcesList()).containsExactly("AuthorizationPolicy models/b");
        assertThat(message.getResourcesList()).extracting(r -> r.getAuthorizationPolicy().getMetadata().getName())
                .containsExactly("a");
        assertThat(ApiMessages.fromProto(message).applyTo(Optional.of(before))).isEqualTo(after);
    }

    @Test
    void aSnapshotWithAnInvalidEntryIsRefusedWhole() {
        var message = dev.aimesh.api.v1.ConfigSnapshot.newBuilder().setVersion("1").setConfigFormat(ApiMessages.CONFIG_FORMAT)
                .addWorkloads(dev.aimesh.api.v1.WorkloadEntry.newBuilder().setNamespace("a").setName("b").setSpiffeId("spiffe://TD/x"))
                .build();
        assertThatThrownBy(() -> ApiMessages.fromProto(message)).hasMessageContaining("upper-case letter 'T'");
    }

    @Test
    void aSnapshotOfAnotherFormatIsRefusedSayingWhichSideToUpgrade() {
        var fromAnOldControlPlane = dev.aimesh.api.v1.ConfigSnapshot.newBuilder().setVersion("3.1").build();
        assertThatThrownBy(() -> ApiMessages.fromProto(fromAnOldControlPlane)).hasMessage("config format 0 (expected: 2);"
                + " the control plane runs another version of aimesh, older than this proxy (format 1 sent YAML files):"
                + " run the same version on both");
        var fromANewerOne = fromAnOldControlPlane.toBuilder().setConfigFormat(3).build();
        assertThatThrownBy(() -> ApiMessages.fromProto(fromANewerOne)).hasMessageContaining("newer than this proxy");
    }

    @Test
    void aResourceOfAKindThisBuildDoesNotKnowIsRefusedByName() {
        // A newer control plane's resource kind arrives as a field this build cannot name.
        var unknownKind = dev.aimesh.api.v1.Resource.newBuilder().setUnknownFields(com.google.protobuf.UnknownFieldSet.newBuilder()
                .addField(42, com.google.protobuf.UnknownFieldSet.Field.newBuilder().addLengthDelimited(
                        com.google.protobuf.ByteString.copyFromUtf8("x")).build()).build()).build();
        var message = ApiMessages.toProto(new ConfigSnapshot("1", List.of(LLM), List.of(Mesh.defaults())), "n",
                ApiMessages.bundle(1, "td", List.of())).toBuilder().addResources(unknownKind).build();
        assertThatThrownBy(() -> ApiMessages.fromProto(message)).hasMessage("resource 1: a resource of a kind this proxy does"
                + " not know (field [42] of aimesh.v1.Resource); is the control plane newer than the proxy?");
    }

    @Test
    void aStoredSnapshotSurvivesTheDiskAndAnotherFormatIsRefused() {
        ConfigSnapshot snapshot = new ConfigSnapshot("9.1", List.of(LLM, EMBED), List.of(Mesh.defaults(),
                policy("a", AuthorizationPolicy.Action.DENY)));
        byte[] bytes = ApiMessages.storedSnapshot("models/llm", snapshot);
        assertThat(ApiMessages.storedSnapshot(bytes)).isEqualTo(new ApiMessages.Stored("models/llm", snapshot));

        byte[] other = dev.aimesh.api.v1.StoredSnapshot.newBuilder().setConfigFormat(1).setWorkload("models/llm").build()
                .toByteArray();
        assertThatThrownBy(() -> ApiMessages.storedSnapshot(other))
                .hasMessage("format 1 (expected: 2); written by another version of aimesh");
        assertThatThrownBy(() -> ApiMessages.storedSnapshot("{\"format\": 1}".getBytes()))
                .hasMessageStartingWith("not a stored snapshot");
    }
}
