package dev.aimesh.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.aimesh.identity.ca.RootRotation;
import dev.aimesh.testkit.CliProcess.Result;
import dev.aimesh.testkit.Curl;
import dev.aimesh.testkit.EchoUpstream;
import dev.aimesh.testkit.TestMesh;
import dev.aimesh.proxy.Proxy;
import dev.aimesh.proxy.ProxyOptions;
import dev.aimesh.proxy.http.ProxyLimits;

/**
 * A root rotation is zero-downtime for proxies that join at any phase of it: before it, once the new root
 * signs, and after the old root has left the bundle, a new proxy calls every proxy already running and is
 * called by each of them, over HTTP/1.1 and HTTP/2 (curl through the outbound proxies).
 */
class RootRotationJoinIT {
    private static final String JOINERS = """
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
            metadata: {name: w2, namespace: mesh}
            ---
            apiVersion: aimesh.dev/v1alpha1
            kind: Workload
            metadata: {name: w3, namespace: mesh}
            """;

    @TempDir
    Path tmp;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<Proxy> proxies = new ArrayList<>();
    private TestMesh mesh;

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    /** A proxy with both listeners for {@code mesh/<name>}, in front of its own echo server. */
    private Proxy join(String name) throws Exception {
        EchoUpstream upstream = new EchoUpstream().start();
        closeables.add(upstream);
        Proxy proxy = Proxy.start(new ProxyOptions(mesh.grpc(), Optional.of(mesh.token("mesh/" + name)), Optional.empty(),
                Optional.of(new InetSocketAddress("127.0.0.1", 0)), Optional.of(upstream.address()), false,
                Optional.of(new InetSocketAddress("127.0.0.1", 0)), "127.0.0.1", false, ProxyLimits.DEFAULTS, 1,
                InstantSource.system()));
        closeables.add(proxy);
        proxies.add(proxy);
        // every proxy (the new one too) must know where every other one listens before the calls
        for (Proxy caller : proxies) {
            for (Proxy callee : proxies) {
                String workload = callee.identity().workload().split("/")[1];
                await().atMost(Duration.ofSeconds(15)).until(() -> !caller.registry().workload("mesh", workload).orElseThrow()
                        .endpoints().isEmpty());
            }
        }
        return proxy;
    }

    /** The joining proxy calls every other one, and every other one calls it, on both protocols. */
    private void callsBothWays(Proxy joined, String phase) {
        for (Proxy other : proxies) {
            if (other == joined) {
                continue;
            }
            for (String protocol : List.of("http1.1", "h2")) {
                call(joined, other, protocol, phase);
                call(other, joined, protocol, phase);
            }
        }
    }

    private static void call(Proxy from, Proxy to, String protocol, String phase) {
        String host = to.identity().workload().split("/")[1] + ".mesh";
        Result r = Curl.run(protocol, "http://127.0.0.1:" + from.outboundAddress().orElseThrow().getPort() + "/echo",
                "-H", "Host: " + host);
        assertThat(r.out()).as(phase + ": " + from.identity().workload() + " -> " + host + " over " + protocol + ": " + r)
                .contains("status=200").contains("method=GET");
    }

    /** Starts the mesh, joins w0 and w1 before any rotation, and checks they call each other. */
    private void meshWithTwoProxies(String lifetime) throws Exception {
        mesh = new TestMesh(tmp, TestMesh.meshWithLifetime(lifetime), InstantSource.system());
        closeables.add(mesh);
        mesh.write("joiners.yaml", JOINERS);
        await().atMost(Duration.ofSeconds(10)).until(() -> mesh.cp.config().workloads().size() == 6);
        join("w0");
        callsBothWays(join("w1"), "before the rotation");
    }

    /** Rotates until the new root signs; returns the proxy that joins then, with an SVID of the new root. */
    private Proxy rotateAndJoinOnceTheNewRootSigns() throws Exception {
        var oldIssuer = proxies.get(0).identity().svid().leaf().getIssuerX500Principal();
        mesh.cp.beginRootRotation(Optional.empty());
        await().atMost(Duration.ofSeconds(20)).until(() -> mesh.cp.ca().rotation()
                .map(r -> r.phase() == RootRotation.Phase.SWITCHED).orElse(false));
        Proxy joined = join("w2");
        assertThat(joined.identity().svid().leaf().getIssuerX500Principal()).isNotEqualTo(oldIssuer);
        return joined;
    }

    @Test
    void aProxyJoiningOnceTheNewRootSignsCallsAndIsCalledByTheRunningOnes() throws Exception {
        // SVIDs of an hour: the running proxies neither renew nor rebuild their TLS contexts meanwhile, so only the
        // bundle they acknowledged can make their inbound accept (and list) the new root.
        meshWithTwoProxies("1h");
        callsBothWays(rotateAndJoinOnceTheNewRootSigns(), "once the new root signs");
    }

    @Test
    void aProxyJoiningAfterTheOldRootLeftCallsAndIsCalledByEveryOther() throws Exception {
        meshWithTwoProxies("4s");
        callsBothWays(rotateAndJoinOnceTheNewRootSigns(), "once the new root signs");
        // The old root leaves once its last SVID expired (4 s) plus 30 s for clock skew.
        await().atMost(Duration.ofSeconds(60)).until(() -> mesh.cp.bundle().roots().size() == 1);
        for (Proxy p : proxies) {
            await().atMost(Duration.ofSeconds(10)).until(() -> p.identity().bundle().roots().size() == 1);
        }
        callsBothWays(join("w3"), "after the old root left the bundle");
    }
}
