package dev.aimesh.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import dev.aimesh.core.identity.JoinToken;
import dev.aimesh.proxy.Proxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.aimesh.testkit.TestMesh;

/**
 * A root rotation is zero-downtime for proxies that join at any phase of it: before it; while the new root is
 * only in the bundle (the old one still signs, the control plane waits for every proxy to acknowledge the
 * bundle); once the new root signs; and after the old root has left the bundle. Each new proxy calls every
 * proxy already running and is called by each of them, over HTTP/1.1 and HTTP/2 (curl through the outbound
 * proxies).
 */
class RootRotationJoinIT {
    static final String JOINERS = """
            apiVersion: aimesh.dev/v1alpha1
            kind: Workload
            metadata: {name: w0, namespace: mesh}
            ---
            apiVersion: aimesh.dev/v1alpha1
            kind: Workload
            metadata: {name: w1, namespace: mesh}
            ---
            apiVersion: aimesh.dev/v1alpha1
            kind: Workload
            metadata: {name: prepared, namespace: mesh}
            ---
            apiVersion: aimesh.dev/v1alpha1
            kind: Workload
            metadata: {name: w2, namespace: mesh}
            ---
            apiVersion: aimesh.dev/v1alpha1
            kind: Workload
            metadata: {name: w3, namespace: mesh}
            ---
            apiVersion: aimesh.dev/v1alpha1
            kind: Workload
            metadata: {name: slow, namespace: mesh}
            ---
            apiVersion: aimesh.dev/v1alpha1
            kind: Workload
            metadata: {name: early, namespace: mesh}
            ---
            apiVersion: aimesh.dev/v1alpha1
            kind: Workload
            metadata: {name: restarted, namespace: mesh}
            """;
    /** TestMesh's two workloads and the joiners. */
    static final int WORKLOADS = 10;

    @TempDir
    Path tmp;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private TestMesh mesh;
    private JoinedProxies proxies;

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    /** Starts the mesh, joins w0 and w1 before any rotation, and checks they call each other. */
    private void meshWithTwoProxies(String lifetime) throws Exception {
        mesh = new TestMesh(tmp, TestMesh.meshWithLifetime(lifetime), InstantSource.system());
        closeables.add(mesh);
        mesh.write("joiners.yaml", JOINERS);
        await().atMost(Duration.ofSeconds(10)).until(() -> mesh.cp.config().workloads().size() == WORKLOADS);
        proxies = new JoinedProxies(mesh);
        closeables.add(proxies);
        proxies.join("mesh/w0");
        proxies.callsBothWays(proxies.join("mesh/w1"), "before the rotation");
    }

    @Test
    void aProxyJoiningWhileTheNewRootIsOnlyInTheBundleOrOnceItSignsCallsAndIsCalledByTheRunningOnes() throws Exception {
        // SVIDs of an hour: the running proxies neither renew nor rebuild their TLS contexts meanwhile, so only the
        // bundle they acknowledged can make their inbound accept (and list) the new root.
        meshWithTwoProxies("1h");
        // Made before the rotation, these pin and trust only the old root; the control plane's certificate will be the new root's.
        JoinToken early = mesh.token("mesh/early");
        Path stateDir = tmp.resolve("state-restarted");
        proxies.stop(proxies.joinKeepingState("mesh/restarted", stateDir));

        RootRotationPhases rotation = new RootRotationPhases(mesh, proxies, slowProxy());
        proxies.callsBothWays(rotation.joinWhileTheNewRootIsOnlyInTheBundle("mesh/prepared"),
                "while the new root is only in the bundle");
        proxies.callsBothWays(rotation.joinOnceTheNewRootSigns("mesh/w2"), "once the new root signs");

        Proxy joined = proxies.join(early);
        assertThat(joined.identity().bundle().roots()).hasSize(2);
        proxies.callsBothWays(joined, "once the new root signs, with a token made before the rotation");
        Proxy restarted = proxies.resume(stateDir);
        await().atMost(Duration.ofSeconds(10)).until(() -> restarted.identity().bundle().roots().size() == 2);
        proxies.callsBothWays(restarted, "once the new root signs, restarted from a state directory with the old bundle");
    }

    @Test
    void aProxyJoiningAtEachPhaseUpToTheOldRootsRetirementCallsAndIsCalledByEveryOther() throws Exception {
        // SVIDs of 4 s: every proxy renews (at half-life) at every phase, and the old root can leave within the test.
        meshWithTwoProxies("4s");
        RootRotationPhases rotation = new RootRotationPhases(mesh, proxies, slowProxy());
        proxies.callsBothWays(rotation.joinWhileTheNewRootIsOnlyInTheBundle("mesh/prepared"),
                "while the new root is only in the bundle");
        proxies.callsBothWays(rotation.joinOnceTheNewRootSigns("mesh/w2"), "once the new root signs");
        proxies.callsBothWays(rotation.joinAfterTheOldRootLeft("mesh/w3"), "after the old root left the bundle");
    }

    /** A config stream that keeps the rotation waiting for its acknowledgement while the test joins a proxy. */
    private LaggingConfigStream slowProxy() throws Exception {
        LaggingConfigStream slow = LaggingConfigStream.join(mesh, "mesh/slow");
        closeables.add(slow);
        return slow;
    }
}
