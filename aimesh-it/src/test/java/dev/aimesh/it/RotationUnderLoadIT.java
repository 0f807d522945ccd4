package dev.aimesh.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.proxy.Proxy;
import dev.aimesh.proxy.agent.WorkloadIdentity;
import dev.aimesh.proxy.http.ProxyLimits;
import dev.aimesh.testkit.EchoUpstream;
import dev.aimesh.testkit.GrpcEchoModel;
import dev.aimesh.testkit.TestMesh;
import dev.aimesh.testkit.TlsClients;

/** Certificates that live 4 seconds renew under steady traffic through a proxy pair, and no request fails. */
// Alone: beside other classes on 2 cores a proxy's bootstrap TLS to the control plane failed (full run of 2026-12-02; to find).
@org.junit.jupiter.api.parallel.Isolated
class RotationUnderLoadIT {
    @TempDir
    Path tmp;

    @Test
    void svidRotationUnderContinuousGrpcLoadOverHttp2FailsNoCall() throws Exception {
        try (TestMesh mesh = new TestMesh(tmp, TestMesh.meshWithLifetime("4s"), InstantSource.system());
                GrpcEchoModel model = new GrpcEchoModel();
                Proxy server = mesh.serverProxy("models/model", model.address(), true, ProxyLimits.DEFAULTS);
                Proxy client = mesh.clientProxy("apps/app");
                ExecutorService load = Executors.newVirtualThreadPerTaskExecutor()) {
            TestMesh.awaitModelEndpoint(client);
            AtomicInteger renewals = new AtomicInteger();
            server.identity().onSvidChange(s -> renewals.incrementAndGet());
            client.identity().onSvidChange(s -> renewals.incrementAndGet());
            io.grpc.ManagedChannel channel = io.grpc.netty.NettyChannelBuilder.forAddress(client.outboundAddress().orElseThrow())
                    .usePlaintext().overrideAuthority("model.models").build();
            try {
                var stub = dev.aimesh.api.v1.IdentityServiceGrpc.newBlockingStub(channel);
                AtomicBoolean running = new AtomicBoolean(true);
                AtomicInteger ok = new AtomicInteger();
                List<String> failures = new CopyOnWriteArrayList<>();
                for (int worker = 0; worker < 4; worker++) {
                    load.submit(() -> {
                        while (running.get()) {
                            try {
                                var reply = stub.withDeadlineAfter(10, java.util.concurrent.TimeUnit.SECONDS).signCertificate(
                                        dev.aimesh.api.v1.SignCertificateRequest.newBuilder()
                                                .setCsr(com.google.protobuf.ByteString.copyFromUtf8("ping")).build());
                                if (reply.getWorkload().equals("PING")) {
                                    ok.incrementAndGet();
                                } else {
                                    failures.add(reply.toString());
                                }
                            } catch (RuntimeException e) {
                                failures.add(e.toString());
                            }
                        }
                        return null;
                    });
                }
                // Waits for both, not for a count within a fixed time: beside other classes the calls come slower.
                await("4 renewals and 50 calls").atMost(Duration.ofSeconds(30)).until(() -> renewals.get() >= 4 && ok.get() > 50);
                running.set(false);
                load.shutdown();
                assertThat(load.awaitTermination(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                assertThat(failures).as("failed calls").isEmpty();
                assertThat(ok.get()).isGreaterThan(50);
            } finally {
                channel.shutdownNow();
            }
        }
    }

    @Test
    void svidRotationUnderContinuousLoadFailsNoRequest() throws Exception {
        try (TestMesh mesh = new TestMesh(tmp, TestMesh.meshWithLifetime("4s"), InstantSource.system());
                EchoUpstream model = new EchoUpstream().start();
                Proxy server = mesh.serverProxy("models/model", model.address(), false, ProxyLimits.DEFAULTS);
                Proxy client = mesh.clientProxy("apps/app");
                WorkloadIdentity probe = mesh.join("apps/app");
                ExecutorService load = Executors.newVirtualThreadPerTaskExecutor()) {
            TestMesh.awaitModelEndpoint(client);
            AtomicInteger serverRenewals = new AtomicInteger();
            AtomicInteger clientRenewals = new AtomicInteger();
            server.identity().onSvidChange(s -> serverRenewals.incrementAndGet());
            client.identity().onSvidChange(s -> clientRenewals.incrementAndGet());
            probe.startRenewal();

            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger ok = new AtomicInteger();
            List<String> failures = new CopyOnWriteArrayList<>();
            // The outbound proxy as the app's HTTP proxy: absolute-form requests, as with HTTP_PROXY.
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .proxy(java.net.ProxySelector.of(client.outboundAddress().orElseThrow())).build();
            URI uri = URI.create("http://model.models/echo");
            for (int worker = 0; worker < 4; worker++) {
                load.submit(() -> {
                    while (running.get()) {
                        try {
                            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri)
                                    .POST(HttpRequest.BodyPublishers.ofString("x".repeat(1024))).build(), HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() == 200 && r.body().contains("body=1024")) {
                                ok.incrementAndGet();
                            } else {
                                failures.add(r.statusCode() + " " + r.body());
                            }
                        } catch (Exception e) {
                            failures.add(e.toString());
                        }
                    }
                    return null;
                });
            }
            // New connections made during the run see the server's current SVID, which changes.
            Set<BigInteger> serversSeen = ConcurrentHashMap.newKeySet();
            SpiffeId model1 = SpiffeId.parse("spiffe://it.example/ns/models/sa/llm");
            await("2 renewals of each proxy, 2 server SVIDs seen and 50 requests").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(300)).until(() -> {
                try (SSLSocket fresh = TlsClients.connect(server.inboundAddress().orElseThrow(), probe.svid(), probe.bundle(), model1)) {
                    serversSeen.add(((X509Certificate) fresh.getSession().getPeerCertificates()[0]).getSerialNumber());
                }
                return serverRenewals.get() >= 2 && clientRenewals.get() >= 2 && serversSeen.size() >= 2 && ok.get() > 50;
            });
            running.set(false);
            load.shutdown();
            assertThat(load.awaitTermination(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(failures).as("failed requests").isEmpty();
            assertThat(ok.get()).isGreaterThan(50);
        }
    }
}
