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
import dev.aimesh.core.identity.JoinToken;
import dev.aimesh.testkit.CliProcess.Result;
import dev.aimesh.proxy.Proxy;
import dev.aimesh.proxy.ProxyOptions;
import dev.aimesh.proxy.http.ProxyLimits;
import dev.aimesh.testkit.TestMesh;
import dev.aimesh.testkit.EchoUpstream;
import dev.aimesh.testkit.Curl;

/**
 * The proxies of a test mesh that call one another, and the calls between them: curl through the caller's
 * outbound listener to the callee's workload ({@code Host: name.namespace}), over HTTP/1.1 and HTTP/2. A
 * proxy joined here has both listeners, in front of its own echo server.
 */
final class JoinedProxies implements AutoCloseable {
    private final TestMesh mesh;
    private final List<Proxy> proxies = new ArrayList<>();
    private final List<AutoCloseable> owned = new ArrayList<>();

    JoinedProxies(TestMesh mesh) {
        this.mesh = mesh;
    }

    /** Joins {@code workload} (namespace/name) with a fresh token; returns once every proxy knows where each listens. */
    Proxy join(String workload) throws Exception {
        return join(mesh.token(workload));
    }

    /** Joins the workload {@code token} was made for. */
    Proxy join(JoinToken token) throws Exception {
        return start(Optional.of(token), Optional.empty());
    }

    /** Joins {@code workload} with a fresh token, keeping its identity and snapshot in {@code stateDir}. */
    Proxy joinKeepingState(String workload, Path stateDir) throws Exception {
        return start(Optional.of(mesh.token(workload)), Optional.of(stateDir));
    }

    /** Starts a proxy again from what it kept in {@code stateDir}, without a token. */
    Proxy resume(Path stateDir) throws Exception {
        return start(Optional.empty(), Optional.of(stateDir));
    }

    /** Stops {@code proxy}; it no longer calls or is called. */
    void stop(Proxy proxy) {
        proxies.remove(proxy);
        owned.remove(proxy);
        proxy.close();
    }

    private Proxy start(Optional<JoinToken> token, Optional<Path> stateDir) throws Exception {
        EchoUpstream upstream = new EchoUpstream().start();
        owned.add(upstream);
        Proxy proxy = Proxy.start(new ProxyOptions(mesh.grpc(), token, stateDir,
                Optional.of(new InetSocketAddress("127.0.0.1", 0)), Optional.of(upstream.address()), false,
                Optional.of(new InetSocketAddress("127.0.0.1", 0)), "127.0.0.1", false, ProxyLimits.DEFAULTS, 1,
                InstantSource.system()));
        owned.add(proxy);
        add(proxy);
        return proxy;
    }

    /** Counts a proxy the test started (and closes) among those that call and are called. */
    void add(Proxy proxy) {
        proxies.add(proxy);
        // every caller (the new one too) must know where every callee listens before the calls
        for (Proxy caller : callers()) {
            for (Proxy callee : callees()) {
                String[] ref = callee.identity().workload().split("/", 2);
                await().atMost(Duration.ofSeconds(15)).until(() -> !caller.registry().workload(ref[0], ref[1]).orElseThrow()
                        .endpoints().isEmpty());
            }
        }
    }

    /**
     * {@code joined} calls every other proxy that has an inbound listener, and every other one with an outbound
     * listener calls it, on both protocols; returns how many calls were made.
     */
    int callsBothWays(Proxy joined, String phase) {
        int calls = 0;
        for (Proxy other : proxies) {
            if (other == joined) {
                continue;
            }
            for (String protocol : List.of("http1.1", "h2")) {
                if (joined.outboundAddress().isPresent() && other.inboundAddress().isPresent()) {
                    call(joined, other, protocol, phase);
                    calls++;
                }
                if (other.outboundAddress().isPresent() && joined.inboundAddress().isPresent()) {
                    call(other, joined, protocol, phase);
                    calls++;
                }
            }
        }
        return calls;
    }

    static void call(Proxy from, Proxy to, String protocol, String phase) {
        String[] ref = to.identity().workload().split("/", 2);
        String host = ref[1] + "." + ref[0];
        Result r = Curl.run(protocol, "http://127.0.0.1:" + from.outboundAddress().orElseThrow().getPort() + "/echo",
                "-H", "Host: " + host);
        assertThat(r.out()).as(phase + ": " + from.identity().workload() + " -> " + host + " over " + protocol + ": " + r)
                .contains("status=200").contains("method=GET");
    }

    List<Proxy> all() {
        return List.copyOf(proxies);
    }

    private List<Proxy> callers() {
        return proxies.stream().filter(p -> p.outboundAddress().isPresent()).toList();
    }

    private List<Proxy> callees() {
        return proxies.stream().filter(p -> p.inboundAddress().isPresent()).toList();
    }

    @Override
    public void close() throws Exception {
        for (int i = owned.size() - 1; i >= 0; i--) {
            owned.get(i).close();
        }
    }
}
