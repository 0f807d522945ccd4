package dev.aimesh.it;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;
import dev.aimesh.proxy.Proxy;
import dev.aimesh.proxy.http.ProxyLimits;
import dev.aimesh.testkit.EchoUpstream;
import dev.aimesh.testkit.FaultLoad;
import dev.aimesh.testkit.TestMesh;

/**
 * The fault suite's root rotation: a steady load from h2load on HTTP/1.1 and HTTP/2 (back-to-back runs, 2
 * connections x 10 requests/s each) runs through a caller's outbound proxy to a model's proxy for the whole of
 * a root rotation, while a proxy joins before it and at each of its phases (new root only in the bundle, new
 * root signing, old root gone). Certificates live 4 s, so every proxy also renews its SVID several times
 * meanwhile. No request of the load fails, and each joined
 * proxy calls every running proxy and is called by each of them, on both protocols.
 */
@Isolated // it counts requests done in a few seconds: the other end-to-end classes must not share the CPU
class RootRotationUnderLoadIT {
    /**
     * The load runs in back-to-back runs of this length until the rotation is over (it ends 4 s, the lifetime,
     * + 30 s of skew after the switch, and joins take longer on a busy machine), each run checked on its own.
     */
    private static final int SEGMENT_SECONDS = 10;

    @TempDir
    Path tmp;
    private final List<AutoCloseable> closeLater = new ArrayList<>();

    @AfterEach
    void stopTheLoad() throws Exception {
        for (AutoCloseable c : closeLater) {
            c.close();
        }
    }

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
            AtomicBoolean rotated = new AtomicBoolean();
            ExecutorService runner = Executors.newVirtualThreadPerTaskExecutor();
            closeLater.add(() -> {
                rotated.set(true); // also when the walk failed: the load stops after its current run
                runner.close();
            });
            List<Future<List<FaultLoad.Outcome>>> loads = List.of(runner.submit(() -> loadUntil(rotated, url, "http1.1")),
                    runner.submit(() -> loadUntil(rotated, url, "h2")));
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
            rotated.set(true);
            for (Future<List<FaultLoad.Outcome>> load : loads) {
                List<FaultLoad.Outcome> runs = load.get(SEGMENT_SECONDS + 130, TimeUnit.SECONDS);
                for (FaultLoad.Outcome run : runs) {
                    run.assertNoFailure();
                }
                System.out.println("fault suite: root rotation under load: " + runs.get(0).protocol() + ": " + runs.size()
                        + " runs of " + SEGMENT_SECONDS + " s, " + runs.stream().mapToLong(FaultLoad.Outcome::done).sum() + " done, "
                        + runs.stream().mapToLong(FaultLoad.Outcome::s2xx).sum() + " 2xx, worst p99 "
                        + runs.stream().mapToLong(FaultLoad.Outcome::p99Micros).max().orElse(0) / 1000.0 + " ms");
            }
            System.out.println("fault suite: root rotation under load: the rotation and 4 joins took " + walk.toMillis()
                    + " ms; joined proxies' calls, all 200: " + String.join(", ", joins));
        }
    }

    /** h2load through {@code url} in back-to-back runs until {@code done} is set; what each run counted. */
    private List<FaultLoad.Outcome> loadUntil(AtomicBoolean done, String url, String protocol) throws Exception {
        List<FaultLoad.Outcome> runs = new ArrayList<>();
        while (!done.get()) {
            runs.add(FaultLoad.start(tmp, protocol, url, 2, 10, SEGMENT_SECONDS).await());
        }
        return runs;
    }
}
