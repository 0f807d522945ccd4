package dev.aimesh.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.registry.ConfigSnapshot;
import dev.aimesh.core.registry.WorkloadEntry;

class ApiMessagesTest {
    @Test
    void aSnapshotSurvivesTheWire() {
        ConfigSnapshot snapshot = new ConfigSnapshot("7.2", List.of(new WorkloadEntry("models", "llm",
                SpiffeId.parse("spiffe://td/ns/models/sa/llm"), Map.of("app", "llm"), List.of("127.0.0.1:15006"))));
        var message = ApiMessages.toProto(snapshot, "nonce-1", ApiMessages.bundle(2, "td", List.of()));
        assertThat(message.getNonce()).isEqualTo("nonce-1");
        assertThat(message.getBundle().getVersion()).isEqualTo(2);
        assertThat(ApiMessages.fromProto(message)).isEqualTo(snapshot);
    }

    @Test
    void aSnapshotWithAnInvalidEntryIsRefusedWhole() {
        var message = dev.aimesh.api.v1.ConfigSnapshot.newBuilder().setVersion("1")
                .addWorkloads(dev.aimesh.api.v1.WorkloadEntry.newBuilder().setNamespace("a").setName("b").setSpiffeId("spiffe://TD/x"))
                .build();
        assertThatThrownBy(() -> ApiMessages.fromProto(message)).hasMessageContaining("upper-case letter 'T'");
    }
}
