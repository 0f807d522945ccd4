package dev.aimesh.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Headers;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.testkit.CliProcess.Result;
import dev.aimesh.testkit.Curl;
import dev.aimesh.testkit.EchoUpstream;
import dev.aimesh.testkit.TestMesh;
import dev.aimesh.testkit.TlsClients;
import dev.aimesh.proxy.Proxy;
import dev.aimesh.proxy.agent.WorkloadIdentity;
import dev.aimesh.proxy.http.ProxyLimits;

/**
 * One caller with a valid SVID floods the model's inbound proxy with raw HTTP/2 (what took it down before):
 * rapid reset on one connection and spread over 12, thousands of streams without pseudo-headers, a
 * CONTINUATION flood. Each time the proxy's upstream connections to the model stay within their pool bound,
 * its heap grows by less than 256 MiB, a legitimate caller meanwhile gets every answer with a p99 under 3 s,
 * and a policy change pushed afterwards is enforced.
 */
// Runs alone: it times a legitimate caller's calls, which two cores shared with other classes would blur.
@Isolated
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OverloadIT {
    private static final SpiffeId MODEL = SpiffeId.parse("spiffe://it.example/ns/models/sa/llm");
    private static final String POLICY = """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: model-callers, namespace: models}
            spec:
              targetRefs: [{kind: Service, name: model}]
              action: %s
              rules:
              - from: [{source: {principals: ["cluster.local/ns/apps/sa/app"]}}]
            """;
    /** Model connections a proxy may open: the HTTP/1.1 pool's 256 per event loop, 2 loops. */
    private static final int MODEL_CONNECTION_BOUND = 2 * 256;
    private static final long P99_BOUND_MILLIS = 3000;
    private static final long HEAP_GROWTH_BOUND = 256L * 1024 * 1024;

    @TempDir
    static Path tmp;
    private static TestMesh mesh;
    private static EchoUpstream model;
    private static Proxy server;
    private static Proxy app;
    private static WorkloadIdentity attacker;

    @BeforeAll
    static void startMesh() throws Exception {
        mesh = new TestMesh(tmp, TestMesh.meshWithLifetime("1h"), InstantSource.system());
        mesh.write("site.yaml", TestMesh.SITE);
        mesh.write("policies.yaml", POLICY.formatted("ALLOW"));
        mesh.restart();
        model = new EchoUpstream().start();
        server = mesh.serverProxy("models/model", model.address(), false, ProxyLimits.DEFAULTS);
        app = mesh.clientProxy("apps/app");
        TestMesh.awaitModelEndpoint(app);
        attacker = mesh.join("apps/app"); // allowed: its streams are routed, which is what costs upstream
    }

    @AfterAll
    static void stopMesh() {
        attacker.close();
        app.close();
        server.close();
        model.close();
        mesh.close();
    }

    @Order(1)
    @Test
    void rapidResetOnOneConnection() throws Exception {
        underAttack(() -> flood(1, 4000, Attack.RAPID_RESET));
    }

    @Order(2)
    @Test
    void rapidResetSpreadOverTwelveConnections() throws Exception {
        underAttack(() -> flood(12, 2000, Attack.RAPID_RESET));
    }

    @Order(3)
    @Test
    void thousandsOfStreamsWithoutPseudoHeaders() throws Exception {
        underAttack(() -> flood(12, 2000, Attack.NO_PSEUDO_HEADERS));
    }

    @Order(4)
    @Test
    void continuationFlood() throws Exception {
        underAttack(() -> flood(4, 1, Attack.CONTINUATION_FLOOD));
    }

    private enum Attack { RAPID_RESET, NO_PSEUDO_HEADERS, CONTINUATION_FLOOD }

    @FunctionalInterface
    private interface Flood {
        void run() throws Exception;
    }

    /** Runs the flood beside a legitimate caller, then checks the bounds and that a policy change still lands. */
    private static void underAttack(Flood flood) throws Exception {
        long heapBefore = usedHeap();
        long modelConnectionsBefore = server.stats().modelConnections();
        List<Long> millis = new ArrayList<>();
        Thread attack = Thread.ofPlatform().start(() -> {
            try {
                flood.run();
            } catch (Exception e) {
                // the proxy may close the attacker's connections: that is one of the right answers
            }
        });
        int i = 0;
        while (attack.isAlive() || i < 20) {
            String protocol = i++ % 2 == 0 ? "h2" : "http1.1";
            long start = System.nanoTime();
            Result r = call(protocol);
            millis.add((System.nanoTime() - start) / 1_000_000);
            Curl.assertStatus(r, 200);
        }
        attack.join();

        long[] sorted = millis.stream().mapToLong(Long::longValue).sorted().toArray();
        long p99 = sorted[(int) Math.ceil(sorted.length * 0.99) - 1];
        assertThat(p99).as("p99 of %s legitimate calls (ms): %s", sorted.length, Arrays.toString(sorted))
                .isLessThan(P99_BOUND_MILLIS);
        assertThat(server.stats().modelConnections() - modelConnectionsBefore).as("connections opened to the model")
                .isLessThanOrEqualTo(MODEL_CONNECTION_BOUND);
        assertThat(usedHeap() - heapBefore).as("heap growth").isLessThan(HEAP_GROWTH_BOUND);

        mesh.write("policies.yaml", POLICY.formatted("DENY"));
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> Curl.assertStatus(call("h2"), 403));
        mesh.write("policies.yaml", POLICY.formatted("ALLOW"));
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> Curl.assertStatus(call("h2"), 200));
    }

    private static Result call(String protocol) {
        return Curl.run(protocol, "http://127.0.0.1:" + app.outboundAddress().orElseThrow().getPort() + "/echo",
                "-H", "Host: model.models");
    }

    private static long usedHeap() throws InterruptedException {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }

    /** {@code connections} connections at once, {@code streams} streams each. */
    private static void flood(int connections, int streams, Attack attack) throws Exception {
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try (SSLSocket socket = TlsClients.connect(server.inboundAddress().orElseThrow(), attacker.svid(),
                        attacker.bundle(), MODEL, "h2")) {
                    socket.setSoTimeout(30_000);
                    Thread.ofPlatform().daemon().start(() -> drain(socket));
                    OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
                    out.write(ByteBufUtilBytes.of(Http2CodecUtil.connectionPrefaceBuf()));
                    frame(out, 0x4, 0, 0, new byte[0]);
                    DefaultHttp2HeadersEncoder hpack = new DefaultHttp2HeadersEncoder();
                    for (int s = 0; s < streams; s++) {
                        int id = 2 * s + 1;
                        switch (attack) {
                            case RAPID_RESET -> {
                                frame(out, 0x1, 0x5, id, block(hpack, ":method", "GET", ":scheme", "https", ":path", "/echo",
                                        ":authority", "model.models"));
                                frame(out, 0x3, 0, id, new byte[] {0, 0, 0, 8}); // RST_STREAM CANCEL
                            }
                            case NO_PSEUDO_HEADERS -> frame(out, 0x1, 0x5, id, block(hpack, "x-flood", Integer.toString(s)));
                            case CONTINUATION_FLOOD -> {
                                frame(out, 0x1, 0x1, id, block(hpack, ":method", "GET", ":scheme", "https", ":path", "/echo"));
                                byte[] filler = block(hpack, "x-filler", "a".repeat(16 * 1024));
                                for (int k = 0; k < 4096; k++) { // 64 MiB of header block that never ends
                                    frame(out, 0x9, 0, id, filler);
                                }
                            }
                        }
                        if (s % 100 == 99) {
                            out.flush();
                        }
                    }
                    out.flush();
                } catch (Exception e) {
                    // closed by the proxy
                }
            }));
        }
        for (Thread t : threads) {
            t.join(120_000);
        }
    }

    private static void frame(OutputStream out, int type, int flags, int stream, byte[] payload) throws java.io.IOException {
        out.write(new byte[] {(byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
                (byte) type, (byte) flags, (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8), (byte) stream});
        out.write(payload);
    }

    private static byte[] block(DefaultHttp2HeadersEncoder hpack, String... namesAndValues) throws Exception {
        Http2Headers headers = new DefaultHttp2Headers(false);
        for (int i = 0; i < namesAndValues.length; i += 2) {
            headers.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        ByteBuf buf = Unpooled.buffer();
        try {
            hpack.encodeHeaders(1, headers, buf);
            return ByteBufUtilBytes.of(buf);
        } finally {
            buf.release();
        }
    }

    private static void drain(SSLSocket socket) {
        try (InputStream in = socket.getInputStream()) {
            byte[] buffer = new byte[16 * 1024];
            while (in.read(buffer) >= 0) {
                // the proxy's SETTINGS, resets and GOAWAY: read so that its writes never stall
            }
        } catch (Exception e) {
            // closed
        }
    }

    private static final class ByteBufUtilBytes {
        static byte[] of(ByteBuf buf) {
            byte[] bytes = new byte[buf.readableBytes()];
            buf.getBytes(buf.readerIndex(), bytes);
            return bytes;
        }
    }
}
