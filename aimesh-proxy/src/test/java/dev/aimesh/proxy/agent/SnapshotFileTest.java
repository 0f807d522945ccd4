package dev.aimesh.proxy.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.registry.ConfigSnapshot;
import dev.aimesh.core.registry.WorkloadEntry;
import dev.aimesh.core.resource.ConfigLoader;

class SnapshotFileTest {
    private static final SnapshotFile.Contents CONTENTS = new SnapshotFile.Contents("models/model", new ConfigSnapshot("v3",
            List.of(new WorkloadEntry("models", "model", SpiffeId.parse("spiffe://cluster.local/ns/models/sa/llm"),
                    Map.of("version", "v2"), List.of("10.0.0.1:15006", "10.0.0.2:15006"))),
            List.of(new ConfigLoader.SourceFile("a.yaml", "kind: Mesh\n\ttabs and \\backslashes\\ and \u2603\n"),
                    new ConfigLoader.SourceFile("b.yaml", ""))));

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
        String future = SnapshotFile.encode(CONTENTS).replace("\"format\" : 1", "\"format\" : 2");

        assertThatThrownBy(() -> SnapshotFile.decode(future)).hasMessageContaining("format 2 (expected: 1)");
    }

    @Test
    void aFileWithAMissingOrMistypedFieldIsRefused() {
        assertThatThrownBy(() -> SnapshotFile.decode(SnapshotFile.encode(CONTENTS).replace("\"version\"", "\"versio\"")))
                .hasMessageContaining("version");
        assertThatThrownBy(() -> SnapshotFile.decode("{\"format\": 1, \"workload\": \"a/b\", \"snapshot\": {\"version\": \"1\","
                + " \"workloads\": {}, \"configFiles\": []}}")).hasMessageContaining("workloads: OBJECT (expected: an array)");
        assertThatThrownBy(() -> SnapshotFile.decode("[]")).hasMessageContaining("not a snapshot file");
    }
}
