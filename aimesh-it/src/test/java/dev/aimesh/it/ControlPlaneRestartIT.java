package dev.aimesh.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.aimesh.proxy.Proxy;
import dev.aimesh.testkit.TestMesh;

/**
 * A proxy rejoins the config stream of a control plane that restarted on the same port within a few
 * seconds of it coming back, however long it was away (gRPC's own reconnect backoff, which grows to
 * minutes, made it 47-50 s).
 */
class ControlPlaneRestartIT {
    /** Long enough for an unreset exponential backoff to have grown well past the bound. */
    private static final Duration DOWN = Duration.ofSeconds(20);
    private static final Duration BOUND = Duration.ofSeconds(6);

    @TempDir
    Path tmp;

    @Test
    void aProxyGetsAChangeWithinSecondsOfTheControlPlaneComingBackOnItsPort() throws Exception {
        TestMesh mesh = new TestMesh(tmp, TestMesh.meshWithLifetime("1h"), InstantSource.system());
        int port = mesh.grpc().getPort();
        Proxy app = mesh.clientProxy("apps/app");
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> app.registry().workload("models", "model").isPresent());
            mesh.cp.close();
            Thread.sleep(DOWN.toMillis()); // the outage itself is what is under test: nothing to await
            mesh.write("site.yaml", TestMesh.SITE); // the change the proxy must get once the control plane is back
            long restarted = System.nanoTime();
            mesh.start(port);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                    .until(() -> app.registry().workload("web", "site").isPresent());
            Duration took = Duration.ofNanos(System.nanoTime() - restarted);
            System.out.println("the change reached the proxy " + took.toMillis() + " ms after the control plane restarted");
            assertThat(took).as("time from the restart to the change on the proxy").isLessThan(BOUND);
        } finally {
            app.close();
            mesh.close();
        }
    }
}
