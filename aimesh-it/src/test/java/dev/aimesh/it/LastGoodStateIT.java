package dev.aimesh.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import dev.aimesh.core.identity.JoinToken;
import dev.aimesh.testkit.CliProcess.Result;
import dev.aimesh.testkit.Curl;
import dev.aimesh.testkit.EchoUpstream;
import dev.aimesh.testkit.MutableClock;
import dev.aimesh.testkit.TestMesh;
import dev.aimesh.proxy.Proxy;
import dev.aimesh.proxy.ProxyOptions;
import dev.aimesh.proxy.agent.BootstrapException;
import dev.aimesh.proxy.agent.StateDirectory;
import dev.aimesh.proxy.agent.SvidFiles;
import dev.aimesh.proxy.http.ProxyLimits;

/**
 * A proxy cut off from the control plane keeps enforcing its last good snapshot, also across a restart:
 * the model's proxy keeps its state in a directory, is restarted from it while the control plane is down
 * (no token, same inbound port, as a real deployment with a fixed port), allows the allowed caller and
 * denies the other on HTTP/1.1 and HTTP/2, refuses to start from an expired SVID, and picks up a policy
 * change once the control plane is back on the same data directory and address.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES) // every wait inside is bounded; this names the step if one is not
class LastGoodStateIT {
    private static final String POLICY = """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: model-callers, namespace: models}
            spec:
              targetRefs: [{kind: Service, name: model}]
              rules:
              - from: [{source: {principals: ["cluster.local/ns/apps/sa/app"%s]}}]
            """;
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path tmp;
    private static TestMesh mesh;
    private static int grpcPort;
    private static EchoUpstream model;
    private static Path state;
    private static InetSocketAddress inbound;
    private static Proxy server;
    private static Proxy app;
    private static Proxy site;

    @BeforeAll
    static void startMesh() throws Exception {
        mesh = new TestMesh(tmp, TestMesh.meshWithLifetime("1h"), InstantSource.system());
        mesh.write("site.yaml", TestMesh.SITE);
        mesh.write("policies.yaml", POLICY.formatted(""));
        mesh.restart();
        grpcPort = mesh.grpc().getPort();
        model = new EchoUpstream().start();
        state = tmp.resolve("model-proxy");
        server = modelProxy(Optional.of(mesh.token("models/model")), new InetSocketAddress("127.0.0.1", 0), InstantSource.system());
        inbound = server.inboundAddress().orElseThrow();
        app = mesh.clientProxy("apps/app");
        site = mesh.clientProxy("web/site");
        TestMesh.awaitModelEndpoint(app, site);
    }

    @AfterAll
    static void stopMesh() {
        site.close();
        app.close();
        server.close();
        model.close();
        mesh.close();
    }

    private static Proxy modelProxy(Optional<JoinToken> token, InetSocketAddress listen, InstantSource clock) throws Exception {
        return Proxy.start(new ProxyOptions(new InetSocketAddress("127.0.0.1", grpcPort), token, Optional.of(state),
                Optional.of(listen), Optional.of(model.address()), false, Optional.empty(), "127.0.0.1", false,
                ProxyLimits.DEFAULTS, 2, clock));
    }

    /** The stored snapshot's bytes as text: protobuf keeps strings as they are. */
    private static String snapshotText() throws java.io.IOException {
        return new String(Files.readAllBytes(state.resolve(StateDirectory.SNAPSHOT)), java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static Result call(Proxy caller, String protocol) {
        return Curl.run(protocol, "http://127.0.0.1:" + caller.outboundAddress().orElseThrow().getPort() + "/echo",
                "-H", "Host: model.models");
    }

    @Order(1)
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http1.1", "h2"})
    void withTheControlPlaneUpTheAllowedCallerGetsThroughAndTheOtherIsDenied(String protocol) throws Exception {
        Curl.assertStatus(call(app, protocol), 200);
        Curl.assertStatus(call(site, protocol), 403);
        assertThat(snapshotText()).contains("cluster.local/ns/apps/sa/app");
    }

    @Order(2)
    @Test
    void restartedWithoutTheControlPlaneTheModelsProxyEnforcesItsStoredSnapshot() throws Exception {
        String enforced = server.registry().version();
        mesh.cp.close();
        server.close();

        server = modelProxy(Optional.empty(), inbound, InstantSource.system());

        assertThat(server.registry().version()).isEqualTo(enforced);
        assertThat(server.appliedConfigVersion()).isEmpty(); // nothing has come from a control plane
        // the callers' connections to the old process are gone; their next request dials the same port again
        await("the app's call through the restarted model proxy").atMost(WAIT)
                .untilAsserted(() -> Curl.assertStatus(call(app, "h2"), 200));
        int before = model.requests();
        for (String protocol : new String[] {"http1.1", "h2"}) {
            Curl.assertStatus(call(app, protocol), 200);
            Curl.assertStatus(call(site, protocol), 403);
        }
        assertThat(model.requests()).isEqualTo(before + 2);
    }

    @Order(3)
    @Test
    void aStoredSvidThatHasExpiredIsNotServed() {
        MutableClock later = new MutableClock();
        later.advance(Duration.ofHours(2));

        assertThatThrownBy(() -> modelProxy(Optional.empty(), new InetSocketAddress("127.0.0.1", 0), later))
                .isInstanceOf(BootstrapException.class)
                .hasMessageContaining(state.resolve(SvidFiles.CERTIFICATE).toString())
                .hasMessageContaining("expired at")
                .hasMessageContaining("a join token is required");
    }

    @Order(4)
    @Test
    void whenTheControlPlaneIsBackTheRestartedProxyReconnectsAndTakesAPolicyChange() throws Exception {
        mesh.start(grpcPort);
        await("the restarted model proxy back on the control plane's config stream").atMost(WAIT)
                .until(() -> !server.appliedConfigVersion().isEmpty());

        mesh.write("policies.yaml", POLICY.formatted(", \"cluster.local/ns/web/sa/site\""));

        await("the policy change letting web/site in").atMost(WAIT).untilAsserted(() -> Curl.assertStatus(call(site, "h2"), 200));
        Curl.assertStatus(call(site, "http1.1"), 200);
        await("the changed snapshot kept in the state directory").atMost(WAIT)
                .untilAsserted(() -> assertThat(snapshotText())
                .contains("cluster.local/ns/web/sa/site"));
    }
}
