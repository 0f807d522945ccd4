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
import dev.aimesh.core.resource.ConfigLoader.SourceFile;

class ApiMessagesTest {
    private static final WorkloadEntry LLM = new WorkloadEntry("models", "llm",
            SpiffeId.parse("spiffe://td/ns/models/sa/llm"), Map.of("app", "llm"), List.of("127.0.0.1:15006"));
    private static final WorkloadEntry EMBED = new WorkloadEntry("models", "embed",
            SpiffeId.parse("spiffe://td/ns/models/sa/embed"), Map.of(), List.of());

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
        ConfigSnapshot before = new ConfigSnapshot("7.2", List.of(LLM, EMBED), List.of(new SourceFile("a.yaml", "a"),
                new SourceFile("b.yaml", "b")));
        ConfigSnapshot after = new ConfigSnapshot("8.2", List.of(LLM.withEndpoints(List.of("127.0.0.1:2"))),
                List.of(new SourceFile("a.yaml", "a2")));
        var message = ApiMessages.toProto(SnapshotDelta.between(before, after), "nonce-2", ApiMessages.bundle(2, "td", List.of()));

        assertThat(message.getBaseVersion()).isEqualTo("7.2");
        assertThat(message.getRemovedWorkloadsList()).containsExactly("models/embed");
        assertThat(message.getRemovedConfigFilesList()).containsExactly("b.yaml");
        assertThat(message.getConfigFilesList()).extracting(f -> f.getName()).containsExactly("a.yaml");
        assertThat(ApiMessages.fromProto(message).applyTo(Optional.of(before))).isEqualTo(after);
    }

    @Test
    void aSnapshotWithAnInvalidEntryIsRefusedWhole() {
        var message = dev.aimesh.api.v1.ConfigSnapshot.newBuilder().setVersion("1")
                .addWorkloads(dev.aimesh.api.v1.WorkloadEntry.newBuilder().setNamespace("a").setName("b").setSpiffeId("spiffe://TD/x"))
                .build();
        assertThatThrownBy(() -> ApiMessages.fromProto(message)).hasMessageContaining("upper-case letter 'T'");
    }
}
