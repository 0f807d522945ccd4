package dev.aimesh.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;
import dev.aimesh.identity.ca.RootRotation;
import dev.aimesh.proxy.Proxy;
import dev.aimesh.testkit.TestMesh;

/**
 * Walks a test mesh through a root rotation, joining a proxy at each phase, in order: while the new root is only
 * in the bundle ({@link RootRotation.Phase#PREPARED}, held there by a {@link LaggingConfigStream} that has not
 * acknowledged the new bundle), once it signs ({@link RootRotation.Phase#SWITCHED}), and after the old root has
 * left the bundle. Each step checks the joined proxy's SVID and bundle are those of its phase.
 */
final class RootRotationPhases {
    private final TestMesh mesh;
    private final JoinedProxies proxies;
    private final LaggingConfigStream slow;
    private final X500Principal oldRoot;

    /** {@code slow} must be connected; {@code proxies} must hold at least one proxy joined before the rotation. */
    RootRotationPhases(TestMesh mesh, JoinedProxies proxies, LaggingConfigStream slow) {
        this.mesh = mesh;
        this.proxies = proxies;
        this.slow = slow;
        this.oldRoot = proxies.all().get(0).identity().svid().leaf().getIssuerX500Principal();
        assertThat(phase()).as("no rotation yet").isEmpty();
    }

    /**
     * Holds the slow stream's acknowledgements, starts the rotation and joins {@code workload} while the rotation
     * waits for that stream: the joined proxy's SVID is the old root's, its bundle has both roots.
     */
    Proxy joinWhileTheNewRootIsOnlyInTheBundle(String workload) throws Exception {
        long before = mesh.cp.bundle().version();
        await().atMost(Duration.ofSeconds(10)).until(() -> mesh.cp.connections().allHaveBundle(before));
        slow.hold();
        mesh.cp.beginRootRotation(Optional.empty());
        long prepared = mesh.cp.bundle().version();
        assertThat(mesh.cp.bundle().roots()).hasSize(2);
        Proxy joined = proxies.join(workload);
        assertThat(phase()).as("the rotation waits for the slow proxy's acknowledgement").contains(RootRotation.Phase.PREPARED);
        assertThat(joined.identity().svid().leaf().getIssuerX500Principal()).as("signed by the old root").isEqualTo(oldRoot);
        assertThat(joined.identity().bundle().roots()).as("both roots in the joined proxy's bundle").hasSize(2);
        for (Proxy p : proxies.all()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> p.identity().bundle().version() >= prepared);
        }
        return joined;
    }

    /** Lets the slow stream acknowledge, waits for the new root to sign and joins {@code workload}, with its SVID of the new root. */
    Proxy joinOnceTheNewRootSigns(String workload) throws Exception {
        assertThat(phase()).contains(RootRotation.Phase.PREPARED);
        slow.release();
        await().atMost(Duration.ofSeconds(20)).until(() -> phase().equals(Optional.of(RootRotation.Phase.SWITCHED)));
        Proxy joined = proxies.join(workload);
        assertThat(joined.identity().svid().leaf().getIssuerX500Principal()).as("signed by the new root").isNotEqualTo(oldRoot);
        return joined;
    }

    /** Waits until the old root has left the bundle of the control plane and of every proxy, then joins {@code workload}. */
    Proxy joinAfterTheOldRootLeft(String workload) throws Exception {
        assertThat(phase()).contains(RootRotation.Phase.SWITCHED);
        // The old root leaves once its last SVID expired plus 30 s for clock skew: the mesh's lifetime must be short.
        await().atMost(Duration.ofSeconds(60)).until(() -> mesh.cp.bundle().roots().size() == 1);
        for (Proxy p : proxies.all()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> p.identity().bundle().roots().size() == 1);
        }
        Proxy joined = proxies.join(workload);
        assertThat(joined.identity().bundle().roots()).hasSize(1);
        assertThat(joined.identity().svid().leaf().getIssuerX500Principal()).isNotEqualTo(oldRoot);
        return joined;
    }

    private Optional<RootRotation.Phase> phase() {
        return mesh.cp.ca().rotation().map(RootRotation::phase);
    }
}
