package dev.aimesh.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;
import dev.aimesh.proxy.Proxy;
import dev.aimesh.proxy.http.ProxyLimits;

/**
 * The fault suite's root rotation: a steady load from h2load on HTTP/1.1 and HTTP/2 runs through a caller's
 * outbound proxy to a model's proxy for the whole of a root rotation, while a proxy joins before it and at
 * each of its phases (new root only in the bundle, new root signing, old root gone). Certificates live 4 s,
 * so every proxy also renews its SVID several times meanwhile. No request of the load fails, and each joined
 * proxy calls every running proxy and is called by each of them, on both protocols.
 */
@Isolated // it counts requests done in a few seconds: the other end-to-end classes must not share the CPU
class RootRotationUnderLoadIT {
    /** Long enough for the whole rotation: it ends 4 s (the lifetime) + 30 s (skew) after the switch. */
    private static final int SECONDS = 60;

    @TempDir
    Path tmp;

    @Test
    void proxiesJoiningAtEachPhaseOfARootRotationUnderLoadFailNoRequest() throws Exception {
        try (TestMesh mesh = new TestMesh(tmp, TestMesh.meshWithLifetime("4s"), InstantSource.system());
                EchoUpstream model = new EchoUpstream().start();
                Proxy server = mesh.serverProxy("models/model", model.address(), false, ProxyLimits.DEFAULTS);
                Proxy app = mesh.clientProxy("apps/app");
                JoinedProxies proxies = new JoinedProxies(mesh)) {
            mesh.write("joiners.yaml", RootRotationJoinIT.JOINERS);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> mesh.cp.config().workloads().size() == RootRotationJoinIT.WORKLOADS);
            TestMesh.awaitModelEndpoint(app);
            proxies.add(server);
            proxies.add(app);
            String url = "http://127.0.0.1:" + app.outboundAddress().orElseThrow().getPort() + "/echo";
            List<FaultLoad> loads = List.of(FaultLoad.start(tmp, "http1.1", url, 2, 10, SECONDS),
                    FaultLoad.start(tmp, "h2", url, 2, 10, SECONDS));
            long started = System.nanoTime();

            List<String> joins = new ArrayList<>();
            try (LaggingConfigStream slow = LaggingConfigStream.join(mesh, "mesh/slow")) {
                int calls = proxies.callsBothWays(proxies.join("mesh/w0"), "before the rotation");
                joins.add("before: " + calls + " calls");
                RootRotationPhases rotation = new RootRotationPhases(mesh, proxies, slow);
                calls = proxies.callsBothWays(rotation.joinWhileTheNewRootIsOnlyInTheBundle("mesh/prepared"),
                        "while the new root is only in the bundle");
                joins.add("new root in the bundle: " + calls + " calls");
                calls = proxies.callsBothWays(rotation.joinOnceTheNewRootSigns("mesh/w2"), "once the new root signs");
                joins.add("new root signing: " + calls + " calls");
                calls = proxies.callsBothWays(rotation.joinAfterTheOldRootLeft("mesh/w3"), "after the old root left the bundle");
                joins.add("old root gone: " + calls + " calls");
            }
            Duration walk = Duration.ofNanos(System.nanoTime() - started);
            assertThat(loads).as("the whole rotation ran under load (it took " + walk.toSeconds() + " s of the load's "
                    + SECONDS + " s)").allMatch(FaultLoad::running);
            for (FaultLoad load : loads) {
                FaultLoad.Outcome outcome = load.await();
                System.out.println("fault suite: root rotation under load: " + outcome);
                outcome.assertNoFailure();
            }
            System.out.println("fault suite: root rotation under load: the rotation and 4 joins took " + walk.toMillis()
                    + " ms; joined proxies' calls, all 200: " + String.join(", ", joins));
        }
    }
}
