package dev.aimesh.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
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

        // The grace is measured by the control plane's clock, which the test moves: however slow the start, the
        // first look is inside the grace.
        AtomicReference<Instant> now = new AtomicReference<>(Instant.now());
        InstantSource clock = now::get;
        ControlPlaneOptions defaults = ControlPlaneOptions.ephemeral(configDir, dataDir);
        try (ControlPlane cp = ControlPlane.start(new ControlPlaneOptions(configDir, dataDir, defaults.grpcListen(),
                defaults.adminListen(), Optional.empty(), clock, defaults.pollInterval()).withRestartGrace(Duration.ofSeconds(1)))) {
            assertThat(modelEndpoints(cp)).containsExactly("127.0.0.1:4001");

            now.set(now.get().plusSeconds(2));
            await().atMost(Duration.ofSeconds(10)).until(() -> modelEndpoints(cp).isEmpty());
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
