package dev.aimesh.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import dev.aimesh.testkit.CliProcess.Result;
import dev.aimesh.testkit.Curl;
import dev.aimesh.testkit.EchoUpstream;
import dev.aimesh.testkit.TestMesh;
import dev.aimesh.proxy.Proxy;
import dev.aimesh.proxy.http.ProxyLimits;

/**
 * Connection-time policy through real proxies: Kubernetes NetworkPolicy ingress (checked on the model's
 * proxy once the caller's identity is known) and egress (on the caller's proxy), and Istio
 * PeerAuthentication modes on the model's inbound port (STRICT by default, PERMISSIVE lets plain HTTP/1.1
 * and h2c in, a change back to STRICT shuts it out). curl, HTTP/1.1 and HTTP/2.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TransportPolicyIT {
    private static final String INGRESS = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: model-ingress, namespace: models}
            spec:
              podSelector: {}
              ingress:
              - from:
                - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: apps}}
              %s
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: site-egress, namespace: web}
            spec:
              podSelector: {}
              policyTypes: [Egress]
              egress:
              - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: nowhere}}}]
            """;
    private static final String LOOPBACK_RULE = "- from: [{ipBlock: {cidr: 127.0.0.0/8}}]";

    @TempDir
    static Path tmp;
    private static TestMesh mesh;
    private static EchoUpstream model;
    private static Proxy server;
    private static Proxy app;
    private static Proxy site;
    private static Proxy probe;

    @BeforeAll
    static void startMesh() throws Exception {
        mesh = new TestMesh(tmp, TestMesh.meshWithLifetime("1h"), InstantSource.system());
        mesh.write("more.yaml", """
                apiVersion: aimesh.dev/v1alpha1
                kind: Workload
                metadata: {name: site, namespace: web}
                ---
                apiVersion: aimesh.dev/v1alpha1
                kind: Workload
                metadata: {name: probe, namespace: ops}
                """);
        mesh.write("netpol.yaml", INGRESS.formatted(""));
        mesh.restart();
        model = new EchoUpstream().start();
        server = mesh.serverProxy("models/model", model.address(), false, ProxyLimits.DEFAULTS);
        app = mesh.clientProxy("apps/app");
        site = mesh.clientProxy("web/site");
        probe = mesh.clientProxy("ops/probe");
        TestMesh.awaitModelEndpoint(app, site, probe);
    }

    @AfterAll
    static void stopMesh() {
        probe.close();
        site.close();
        app.close();
        server.close();
        model.close();
        mesh.close();
    }

    private static Result curl(String protocol, String url, String... extra) {
        List<String> args = new ArrayList<>(List.of("-H", "Host: model.models"));
        args.addAll(List.of(extra));
        return Curl.run(protocol, url, args.toArray(String[]::new));
    }

    private static Result via(Proxy caller, String protocol) {
        return curl(protocol, "http://127.0.0.1:" + caller.outboundAddress().orElseThrow().getPort() + "/echo");
    }

    private static String plainInbound() {
        return "http://127.0.0.1:" + server.inboundAddress().orElseThrow().getPort() + "/echo";
    }

    @Order(1)
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http1.1", "h2"})
    void ingressLetsInOnlyTheNamespaceItNames(String protocol) {
        Result allowed = via(app, protocol);
        assertThat(allowed.out()).as(allowed::toString).contains("status=200", "URI=spiffe://it.example/ns/apps/sa/app");
        int before = model.requests();
        Result refused = via(probe, protocol);
        assertThat(refused.out()).as(refused::toString).doesNotContain("status=200").containsPattern("status=5\\d\\d");
        assertThat(model.requests()).isEqualTo(before);
    }

    @Order(2)
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http1.1", "h2"})
    void egressKeepsACallerInItsLane(String protocol) {
        int before = model.requests();
        Result r = via(site, protocol);
        assertThat(r.out()).as(r::toString).contains("status=403", "this workload may not call models/model",
                "NetworkPolicy: no policy allows (selected by web/site-egress)");
        assertThat(model.requests()).isEqualTo(before);
    }

    @Order(3)
    @Test
    void plainTextIsRefusedUnderStrictAcceptedUnderPermissiveAndRefusedAgainWhenStrictReturns() {
        Result strict = curl("http1.1", plainInbound());
        assertThat(strict.exit()).as(strict::toString).isNotZero(); // closed: mTLS is required by default

        mesh.write("netpol.yaml", INGRESS.formatted(LOOPBACK_RULE));
        mesh.write("mtls.yaml", """
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: default, namespace: models}
                spec: {mtls: {mode: PERMISSIVE}}
                """);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(curl("http1.1", plainInbound()).out()).contains("status=200"));
        Result h1 = curl("http1.1", plainInbound(), "-H", "x-forwarded-client-cert: By=spoofed");
        assertThat(h1.out()).contains("status=200", "method=GET").doesNotContain("spoofed");
        assertThat(curl("h2", plainInbound()).out()).contains("status=200");
        assertThat(via(app, "h2").out()).contains("status=200", "URI=spiffe://it.example/ns/apps/sa/app"); // mTLS still served

        mesh.write("mtls.yaml", """
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: default, namespace: models}
                spec: {mtls: {mode: STRICT}}
                """);
        await().atMost(Duration.ofSeconds(10)).until(() -> curl("http1.1", plainInbound()).exit() != 0);
        assertThat(curl("h2", plainInbound()).exit()).isNotZero();
        assertThat(via(app, "http1.1").out()).contains("status=200");
    }
}
