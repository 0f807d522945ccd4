package dev.aimesh.proxy.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.config.Position;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.registry.ConfigSnapshot;
import dev.aimesh.core.registry.WorkloadEntry;
import dev.aimesh.core.resource.Mesh;
import dev.aimesh.core.resource.ObjectMeta;
import dev.aimesh.core.resource.PeerAuthentication;

class SnapshotFileTest {
    private static final SnapshotFile.Contents CONTENTS = new SnapshotFile.Contents("models/model", new ConfigSnapshot("v3",
            List.of(new WorkloadEntry("models", "model", SpiffeId.parse("spiffe://cluster.local/ns/models/sa/llm"),
                    Map.of("version", "v2"), List.of("10.0.0.1:15006", "10.0.0.2:15006"))),
            List.of(Mesh.defaults(), new PeerAuthentication(ObjectMeta.of("strict \u2603", "models"),
                    new Position("a.yaml", 3, 1), Optional.empty(), PeerAuthentication.MtlsMode.STRICT, Map.of()))));

    @Test
    void roundTripsExactly() {
        assertThat(SnapshotFile.decode(SnapshotFile.encode(CONTENTS))).isEqualTo(CONTENTS);
    }

    @Test
    void anEmptySnapshotRoundTrips() {
        var empty = new SnapshotFile.Contents("apps/app", new ConfigSnapshot("", List.of(), List.of()));
        assertThat(SnapshotFile.decode(SnapshotFile.encode(empty))).isEqualTo(empty);
    }

    @Test
    void anotherFormatIsRefused() {
        byte[] future = dev.aimesh.api.v1.StoredSnapshot.newBuilder().setConfigFormat(3).build().toByteArray();
        assertThatThrownBy(() -> SnapshotFile.decode(future)).hasMessageContaining("format 3 (expected: 2)");
    }

    @Test
    void aFileThatIsNotAStoredSnapshotIsRefused() {
        byte[] encoded = SnapshotFile.encode(CONTENTS);
        assertThatThrownBy(() -> SnapshotFile.decode(java.util.Arrays.copyOf(encoded, encoded.length - 3)))
                .hasMessageStartingWith("not a stored snapshot");
        assertThatThrownBy(() -> SnapshotFile.decode("{\"format\": 1}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageStartingWith("not a stored snapshot");
    }
}
