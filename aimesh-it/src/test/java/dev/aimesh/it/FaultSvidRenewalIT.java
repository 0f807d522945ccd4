package dev.aimesh.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.aimesh.testkit.Curl;
import dev.aimesh.testkit.EchoUpstream;
import dev.aimesh.testkit.FaultLoad;
import dev.aimesh.testkit.FaultMesh.ProxyProcess;
import dev.aimesh.testkit.FaultMesh;
import dev.aimesh.proxy.agent.SvidFiles;

/**
 * The fault suite's SVID renewal: certificates that live 6 seconds (renewed every 3) on a mesh of CLI
 * processes, under a steady load from h2load on HTTP/1.1 and HTTP/2 for 15 seconds: both proxies renew
 * several times during the run (seen as new certificates in their state directories) and no request fails.
 */
class FaultSvidRenewalIT {
    private static final int SECONDS = 15;

    @TempDir
    Path tmp;

    @Test
    void svidsRenewedUnderLoadOnHttp1AndHttp2FailNoRequest() throws Exception {
        try (EchoUpstream model = new EchoUpstream().start();
                FaultMesh mesh = new FaultMesh(tmp, "6s", FaultMesh.ONLY_APP_CALLS_THE_MODEL)) {
            mesh.startControlPlane();
            ProxyProcess server = mesh.modelProxy(model.address().getPort());
            ProxyProcess app = mesh.callerProxy("apps/app");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> Curl.assertStatus(
                    Curl.run("h2", app.outboundUrl("/echo"), "-H", "Host: " + FaultMesh.MODEL), 200));

            Set<String> serverSvids = new HashSet<>();
            Set<String> appSvids = new HashSet<>();
            ScheduledExecutorService watch = Executors.newSingleThreadScheduledExecutor();
            watch.scheduleAtFixedRate(() -> {
                read(server.stateDir.resolve(SvidFiles.CERTIFICATE)).ifPresent(serverSvids::add);
                read(app.stateDir.resolve(SvidFiles.CERTIFICATE)).ifPresent(appSvids::add);
            }, 0, 200, TimeUnit.MILLISECONDS);
            List<FaultLoad> loads = List.of(FaultLoad.start(tmp, "http1.1", app.outboundUrl("/echo"), 2, 10, SECONDS),
                    FaultLoad.start(tmp, "h2", app.outboundUrl("/echo"), 2, 10, SECONDS));
            for (FaultLoad load : loads) {
                FaultLoad.Outcome outcome = load.await();
                System.out.println("fault suite: SVID renewal: " + outcome);
                outcome.assertNoFailure();
            }
            watch.shutdown();
            assertThat(watch.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
            System.out.println("fault suite: SVID renewal: the model's proxy held " + serverSvids.size() + " SVIDs, the app's "
                    + appSvids.size() + " during the run");
            assertThat(serverSvids.size()).as("SVIDs of the model's proxy during the run").isGreaterThanOrEqualTo(4);
            assertThat(appSvids.size()).as("SVIDs of the app's proxy during the run").isGreaterThanOrEqualTo(4);
        }
    }

    private static java.util.Optional<String> read(Path file) {
        try {
            return java.util.Optional.of(Files.readString(file)).filter(s -> s.contains("END CERTIFICATE"));
        } catch (java.io.IOException e) {
            return java.util.Optional.empty(); // between a renewal's write and its rename
        }
    }
}
