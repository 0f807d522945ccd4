package dev.aimesh.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import dev.aimesh.testkit.CliProcess.Result;
import dev.aimesh.testkit.CliProcess;
import dev.aimesh.testkit.EchoUpstream;
import dev.aimesh.testkit.TestMesh;
import dev.aimesh.proxy.Proxy;
import dev.aimesh.proxy.http.ProxyLimits;

/**
 * An app calls a model through a pair of proxies: plain HTTP into the app's outbound proxy, mTLS with
 * SPIFFE identities between the proxies, plain HTTP to the model. Driven by {@code curl}, on HTTP/1.1
 * and HTTP/2.
 */
class ProxyPairIT {
    @TempDir
    static Path tmp;
    private static TestMesh mesh;
    private static EchoUpstream model;
    private static Proxy server;
    private static Proxy client;
    private static Path appCerts;

    @BeforeAll
    static void startMesh() throws Exception {
        mesh = new TestMesh(tmp, TestMesh.meshWithLifetime("1h"), InstantSource.system());
        model = new EchoUpstream().start();
        server = mesh.serverProxy("models/model", model.address(), false, ProxyLimits.DEFAULTS);
        client = mesh.clientProxy("apps/app");
        TestMesh.awaitModelEndpoint(client);
        appCerts = tmp.resolve("app-certs");
        var grpc = mesh.grpc();
        Result fetched = CliProcess.run(CliProcess.aimeshCommand("svid", "fetch", "--out", appCerts.toString(),
                "--grpc-address", grpc.getHostString() + ":" + grpc.getPort()),
                Map.of("AIMESH_JOIN_TOKEN", mesh.token("apps/app").toString()), Duration.ofSeconds(60));
        assertThat(fetched.exit()).as(fetched::toString).isZero();
    }

    @AfterAll
    static void stopMesh() {
        client.close();
        server.close();
        model.close();
        mesh.close();
    }

    static Result curl(String... args) {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20"));
        command.addAll(List.of(args));
        return CliProcess.run(command, Map.of(), Duration.ofSeconds(30));
    }

    private static String outbound() {
        return "http://127.0.0.1:" + client.outboundAddress().orElseThrow().getPort();
    }

    private static String inbound() {
        return "https://127.0.0.1:" + server.inboundAddress().orElseThrow().getPort();
    }

    private static String flag(String protocol) {
        return protocol.equals("h2") ? "--http2-prior-knowledge" : "--http1.1";
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http1.1", "h2"})
    void anAppCallsTheModelThroughTheProxyPair(String protocol) {
        Result r = curl(flag(protocol), "-H", "Host: model.models", "-H", "x-forwarded-client-cert: By=spoofed",
                "--data-binary", "hello model", outbound() + "/echo?x=1");
        assertThat(r.exit()).as(r::toString).isZero();
        assertThat(r.out()).contains("method=POST", "path=/echo?x=1", "body=11")
                .containsPattern("xfcc=By=spiffe://it\\.example/ns/models/sa/llm;Hash=[0-9a-f]{64};URI=spiffe://it\\.example/ns/apps/sa/app\n")
                .doesNotContain("spoofed");
    }

    @Test
    void anAppUsingHttpProxyReachesTheModelByName() {
        Result r = curl("--http1.1", "-x", outbound(), "http://model.models.svc.cluster.local/echo");
        assertThat(r.exit()).as(r::toString).isZero();
        assertThat(r.out()).contains("method=GET", "path=/echo");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http1.1", "h2"})
    void serverSentEventsArriveAsTheyAreProduced(String protocol) {
        // curl -N prints each event as it arrives; --trace-time stamps them. The gaps must survive the pair.
        Result r = curl(flag(protocol), "-N", "-H", "Host: model.models", "-w", "%{time_starttransfer} %{time_total}",
                outbound() + "/sse?n=5&gapMs=300");
        assertThat(r.exit()).as(r::toString).isZero();
        assertThat(r.out()).contains("data: token-0", "data: token-4", "data: [DONE]");
        String[] times = r.out().substring(r.out().lastIndexOf("[DONE]") + 6).strip().split(" ");
        double firstByte = Double.parseDouble(times[0]);
        double total = Double.parseDouble(times[1]);
        assertThat(total - firstByte).as("the body streamed over time, not at once").isGreaterThan(1.0);
    }

    /**
     * The app's URL at {@code oneLoop}, once one call has set up its connection to the model's proxy: while one is
     * being set up, 100 calls wait for it and the next go to another, so a slow handshake on a loaded CPU would
     * rightly open more than the one connection a test wants them all to share.
     */
    private static String connectedApp(Proxy oneLoop) {
        TestMesh.awaitModelEndpoint(oneLoop);
        String app = "http://127.0.0.1:" + oneLoop.outboundAddress().orElseThrow().getPort();
        Result warm = curl("--http1.1", "-H", "Host: model.models", app + "/echo");
        assertThat(warm.exit()).as(warm::toString).isZero();
        return app;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http1.1", "h2"})
    void manyCancelledCallsLeaveOtherCallsOnTheSharedConnectionAlone(String protocol) throws Exception {
        // An app that gives up on hundreds of calls (a chat UI's stop button, a client timeout) makes its proxy
        // reset as many streams on the one connection to the model's proxy; that must not end the connection
        // under the streams still going. Netty's default rapid-reset guard (200 per 30 s) did. One event loop,
        // so that every call shares one connection between the proxies.
        try (Proxy oneLoop = mesh.clientProxy("apps/app", 1)) {
            String app = connectedApp(oneLoop);
            var stream = java.util.concurrent.CompletableFuture.supplyAsync(() -> curl(flag(protocol), "-N", "-H", "Host: model.models",
                    app + "/sse?n=12&gapMs=250"), Thread.ofVirtual()::start); // not the common pool: other classes share it
            List<String> cancelled;
            if (protocol.equals("h2")) {
                // curl 7.88 cannot run parallel transfers over h2c prior knowledge; nghttp (nghttp2's client) can.
                cancelled = List.of("nghttp", "-n", "-m", "240", "-t", "1", "-H", ":authority: model.models", app + "/hang");
            } else {
                cancelled = new ArrayList<>(List.of("curl", "-s", "--parallel", "--parallel-max", "240", "--http1.1",
                        "-H", "Host: model.models", "--max-time", "1"));
                for (int i = 0; i < 240; i++) {
                    cancelled.addAll(List.of("-o", "/dev/null", app + "/hang?call=" + i));
                }
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> oneLoop.stats().peerRequests() >= 2); // the stream is under way
            Result gaveUp = CliProcess.run(cancelled, Map.of(), Duration.ofSeconds(30));
            assertThat(oneLoop.stats().peerRequests()).as("the calls reached the model's proxy: %s", gaveUp).isGreaterThan(200);
            Result streamed = stream.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(streamed.exit()).as(streamed::toString).isZero();
            assertThat(streamed.out()).contains("data: token-11", "data: [DONE]");
            assertThat(oneLoop.stats().peerConnections()).as("one connection carried them all").isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http1.1", "h2"})
    void aCallerThatReadsSlowlyStallsOnlyItsOwnStreamOnTheSharedConnection(String protocol) throws Exception {
        // One event loop, so both calls share one HTTP/2 connection between the proxies. The slow caller's stream
        // fills its window there and stops; the connection's window must still carry the other call.
        try (Proxy oneLoop = mesh.clientProxy("apps/app", 1)) {
            String app = connectedApp(oneLoop);
            Process slow = new ProcessBuilder("curl", "-sS", flag(protocol), "--limit-rate", "8K", "--max-time", "60", "-o", "/dev/null",
                    "-H", "Host: model.models", app + "/bytes?n=64000000").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> oneLoop.stats().peerRequests() >= 2); // the slow call is under way
                // The slow stream's window fills in milliseconds; the other call must not wait for it.
                Result fast = curl(flag(protocol), "--max-time", "8", "-o", "/dev/null", "-w", "%{size_download} %{time_total}",
                        "-H", "Host: model.models", app + "/bytes?n=8000000");
                assertThat(fast.exit()).as(fast::toString).isZero();
                assertThat(fast.out()).as(fast::toString).startsWith("8000000 ");
                assertThat(slow.isAlive()).as("the slow call is still reading").isTrue();
            } finally {
                slow.destroyForcibly();
            }
            assertThat(oneLoop.stats().peerConnections()).as("one connection carried both").isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http1.1", "h2"})
    void moreConcurrentCallsThanOneConnectionCarriesOpenAnotherConnection(String protocol) throws Exception {
        // A model's proxy that takes 3 streams per connection, and 8 long calls at once from one event loop.
        mesh.write("narrow.yaml", """
                apiVersion: aimesh.dev/v1alpha1
                kind: Workload
                metadata: {name: narrow, namespace: models}
                """);
        ProxyLimits threeStreams = ProxyLimits.builder().maxRequestBodyBytes(1024 * 1024).idleTimeout(Duration.ofMinutes(1))
                .responseTimeout(Duration.ofSeconds(30)).maxConcurrentStreams(3).build();
        await().atMost(Duration.ofSeconds(10)).until(() -> client.registry().workload("models", "narrow").isPresent());
        try (Proxy narrow = mesh.serverProxy("models/narrow", model.address(), false, threeStreams);
                Proxy oneLoop = mesh.clientProxy("apps/app", 1)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> !oneLoop.registry().workload("models", "narrow").orElseThrow()
                    .endpoints().isEmpty());
            String url = "http://127.0.0.1:" + oneLoop.outboundAddress().orElseThrow().getPort() + "/sse?n=4&gapMs=250";
            List<String> calls;
            if (protocol.equals("h2")) {
                calls = List.of("nghttp", "-m", "8", "-H", ":authority: narrow.models", url);
            } else {
                calls = new ArrayList<>(List.of("curl", "-sS", "--parallel", "--parallel-max", "8", "--http1.1",
                        "-H", "Host: narrow.models"));
                for (int i = 0; i < 8; i++) {
                    calls.add(url + "&call=" + i);
                }
            }
            Result r = CliProcess.run(calls, Map.of(), Duration.ofSeconds(30));
            assertThat(r.exit()).as(r::toString).isZero();
            assertThat(r.out().split("data: \\[DONE\\]", -1)).as("every call streamed to its end: %s", r).hasSize(9);
            assertThat(oneLoop.stats().peerConnections()).as("8 streams at once at 3 per connection").isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void unknownDestinationsAndHostsWithoutEndpointsGetAClearError() {
        Result r = curl("--http1.1", "-i", "-H", "Host: nowhere", outbound() + "/echo");
        assertThat(r.out()).startsWith("HTTP/1.1 502").contains("x-aimesh-reason: unknown-destination")
                .contains("'nowhere' is not a workload of the mesh");
        Result none = curl("--http1.1", "-i", "-H", "Host: app.apps", outbound() + "/echo");
        assertThat(none.out()).startsWith("HTTP/1.1 503").contains("no proxy serves apps/app right now");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http1.1", "http2"})
    void curlWithAnSvidIsServedByTheInboundPortAndWithoutOneIsRefused(String protocol) {
        String cert = appCerts.resolve("svid.pem").toString();
        String key = appCerts.resolve("svid-key.pem").toString();
        // curl checks host names, which SVIDs do not carry (a URI SAN only), so -k; the server's identity is
        // verified against the bundle by openssl below.
        Result ok = curl("--" + protocol, "-k", "--cacert", appCerts.resolve("bundle.pem").toString(), "--cert", cert,
                "--key", key, inbound() + "/echo");
        assertThat(ok.exit()).as(ok::toString).isZero();
        assertThat(ok.out()).contains("URI=spiffe://it.example/ns/apps/sa/app");

        Result noCert = curl("--" + protocol, "-k", inbound() + "/echo");
        assertThat(noCert.exit()).as(noCert::toString).isNotZero();
        assertThat(noCert.out()).doesNotContain("method=");

        // Over HTTP/2 too, an oversized head or body is refused by the proxy and never reaches the model.
        Result bigHeader = curl("--" + protocol, "-k", "-i", "--cert", cert, "--key", key, "-H", "X-Big: " + "h".repeat(40_000),
                inbound() + "/echo");
        assertThat(bigHeader.out()).doesNotContain("method=");
        assertThat(bigHeader.out()).startsWith(protocol.equals("http2") ? "HTTP/2 431" : "HTTP/1.1 431");

        Result plaintext = curl("--http1.1", "http://127.0.0.1:" + server.inboundAddress().orElseThrow().getPort() + "/echo");
        assertThat(plaintext.exit()).isNotZero();
        assertThat(plaintext.out()).doesNotContain("method=");
    }

    @Test
    void opensslSeesTls13AndTheModelsIdentity() {
        Result r = CliProcess.run(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + server.inboundAddress().orElseThrow().getPort(),
                "-CAfile", appCerts.resolve("bundle.pem").toString(), "-cert", appCerts.resolve("svid.pem").toString(),
                "-key", appCerts.resolve("svid-key.pem").toString(), "-brief", "-verify_return_error"), Map.of(), Duration.ofSeconds(20));
        assertThat(r.err() + r.out()).contains("Protocol version: TLSv1.3").contains("Verification: OK");
        Result tls12 = CliProcess.run(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + server.inboundAddress().orElseThrow().getPort(),
                "-tls1_2", "-cert", appCerts.resolve("svid.pem").toString(), "-key", appCerts.resolve("svid-key.pem").toString(),
                "-brief"), Map.of(), Duration.ofSeconds(20));
        assertThat(tls12.err() + tls12.out()).doesNotContain("Protocol version: TLSv1.2");
    }

    @Test
    void tls12IsAcceptedOnlyWhenAllowed() throws Exception {
        try (Proxy legacy = dev.aimesh.proxy.Proxy.start(new dev.aimesh.proxy.ProxyOptions(mesh.grpc(), java.util.Optional.of(mesh.token("models/model")), java.util.Optional.empty(),
                java.util.Optional.of(new java.net.InetSocketAddress("127.0.0.1", 0)), java.util.Optional.of(model.address()), false,
                java.util.Optional.empty(), "127.0.0.1", true, ProxyLimits.DEFAULTS, 1, java.time.InstantSource.system()))) {
            Result r = CliProcess.run(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + legacy.inboundAddress().orElseThrow().getPort(),
                    "-tls1_2", "-cert", appCerts.resolve("svid.pem").toString(), "-key", appCerts.resolve("svid-key.pem").toString(),
                    "-CAfile", appCerts.resolve("bundle.pem").toString(), "-brief"), Map.of(), Duration.ofSeconds(20));
            assertThat(r.err() + r.out()).contains("Protocol version: TLSv1.2").contains("Verification: OK");
        }
    }
}
