package dev.aimesh.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a control plane started over a data directory with served endpoints does with them. */
class ControlPlaneRestartGraceTest {
    @TempDir
    Path configDir;
    @TempDir
    Path dataDir;

    @BeforeEach
    void config() throws Exception {
        Files.writeString(configDir.resolve("mesh.yaml"), """
                apiVersion: aimesh.dev/v1alpha1
                kind: Mesh
                metadata: {name: default}
                spec: {trustDomain: grace.example}
                """);
        Files.writeString(configDir.resolve("workloads.yaml"), """
                apiVersion: aimesh.dev/v1alpha1
                kind: Workload
                metadata: {name: model, namespace: models}
                """);
    }

    private List<String> modelEndpoints(ControlPlane cp) {
        return cp.snapshot().workload("models", "model").orElseThrow().endpoints();
    }

    @Test
    void theEndpointsServedBeforeARestartAreServedUntilTheGraceEndsThenAProxyThatNeverCameBackIsRemoved() {
        ServedEndpoints.write(dataDir, Map.of("models/model", List.of("127.0.0.1:4001")));

        try (ControlPlane cp = ControlPlane.start(ControlPlaneOptions.ephemeral(configDir, dataDir)
                .withRestartGrace(Duration.ofSeconds(5)))) {
            // a grace longer than a start on a loaded machine, so the first look is inside it
            assertThat(modelEndpoints(cp)).containsExactly("127.0.0.1:4001");

            await().atMost(Duration.ofSeconds(15)).until(() -> modelEndpoints(cp).isEmpty());
            assertThat(ServedEndpoints.read(dataDir)).isEmpty();
        }
    }

    @Test
    void noGraceServesConnectedProxiesOnly() {
        ServedEndpoints.write(dataDir, Map.of("models/model", List.of("127.0.0.1:4001")));

        try (ControlPlane cp = ControlPlane.start(ControlPlaneOptions.ephemeral(configDir, dataDir)
                .withRestartGrace(Duration.ZERO))) {
            assertThat(modelEndpoints(cp)).isEmpty();
        }
    }
}
