package dev.aimesh.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.identity.TrustDomain;
import dev.aimesh.identity.ca.CaCredential;
import dev.aimesh.identity.ca.RootCertificates;
import dev.aimesh.identity.x509.X509Svid;
import dev.aimesh.proxy.Proxy;
import dev.aimesh.proxy.agent.WorkloadIdentity;
import dev.aimesh.proxy.http.ProxyLimits;
import dev.aimesh.proxy.net.EventLoops;
import dev.aimesh.proxy.tls.MeshTls;
import dev.aimesh.proxy.upstream.Http2Upstream;
import dev.aimesh.testkit.CliProcess;
import dev.aimesh.testkit.EchoUpstream;
import dev.aimesh.testkit.TestCa;
import dev.aimesh.testkit.TestMesh;
import dev.aimesh.testkit.TlsClients;

/**
 * What an attacker or a broken client sends to the inbound front door is refused, for that connection
 * only, and never reaches the model.
 */
class InboundRefusalsIT {
    private static final SpiffeId MODEL = SpiffeId.parse("spiffe://it.example/ns/models/sa/llm");
    private static final ProxyLimits LIMITS = ProxyLimits.builder().maxRequestLineBytes(1024).maxHeaderBytes(4096).maxRequestBodyBytes(64 * 1024)
            .idleTimeout(Duration.ofMinutes(1)).connectTimeout(Duration.ofSeconds(1)).responseTimeout(Duration.ofSeconds(1))
            .maxConcurrentStreams(16).build();

    @TempDir
    static Path tmp;
    private static TestMesh mesh;
    private static EchoUpstream model;
    private static Proxy server;
    private static WorkloadIdentity app;

    @BeforeAll
    static void start() throws Exception {
        mesh = new TestMesh(tmp, TestMesh.meshWithLifetime("1h"), InstantSource.system());
        model = new EchoUpstream().start();
        server = mesh.serverProxy("models/model", model.address(), false, LIMITS);
        app = mesh.join("apps/app");
    }

    @AfterAll
    static void stop() {
        app.close();
        server.close();
        model.close();
        mesh.close();
    }

    private static InetSocketAddress inbound() {
        return server.inboundAddress().orElseThrow();
    }

    private static String send(X509Svid client, String request) throws Exception {
        try (SSLSocket socket = TlsClients.connect(inbound(), client, app.bundle(), MODEL)) {
            return TlsClients.exchange(socket, request.getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    /** The handshake may complete on the client's side in TLS 1.3; the refusal then shows as a closed connection. */
    private static void assertRefused(X509Svid client) {
        int before = model.requests();
        assertThatThrownBy(() -> {
            String answer = send(client, "GET /echo HTTP/1.1\r\nHost: model\r\n\r\n");
            if (!answer.contains("HTTP/1.1 200")) {
                throw new java.io.IOException("refused: " + answer);
            }
        }).isInstanceOf(Exception.class);
        assertThat(model.requests()).isEqualTo(before);
    }

    @Test
    void aValidSvidIsServed() throws Exception {
        assertThat(send(app.svid(), "GET /echo HTTP/1.1\r\nHost: model\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 200");
    }

    @Test
    void certificatesOfAnotherCaAnotherTrustDomainOrPastTheirExpiryAreRefused() throws Exception {
        TrustDomain td = TrustDomain.parse("it.example");
        SpiffeId appId = SpiffeId.forWorkload(td, "apps", "app");
        Instant now = Instant.now();
        assertRefused(TestCa.svid(RootCertificates.create(td, now.minusSeconds(60), Duration.ofDays(1)), appId, now, Duration.ofHours(1)));
        TrustDomain evil = TrustDomain.parse("evil.example");
        assertRefused(TestCa.svid(RootCertificates.create(evil, now.minusSeconds(60), Duration.ofDays(1)),
                SpiffeId.forWorkload(evil, "apps", "app"), now, Duration.ofHours(1)));
        CaCredential meshCa = mesh.cp.ca().state().signing();
        assertRefused(TestCa.svid(meshCa, appId, now.minus(Duration.ofHours(2)), Duration.ofHours(1)));
        assertThat(send(app.svid(), "GET /echo HTTP/1.1\r\nHost: model\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 200");
    }

    @Test
    void aServerWithAnUnexpectedIdentityIsRefusedByTheCallingProxy() throws Exception {
        try (EventLoops loops = new EventLoops(1, "test");
                Http2Upstream wrong = Http2Upstream.mesh(inbound(), SpiffeId.parse("spiffe://it.example/ns/models/sa/other"),
                        new MeshTls(app::svid, app::bundle, app.trustDomain(), InstantSource.system(), false), loops, LIMITS)) {
            var lease = wrong.acquire(loops.group().next()).awaitUninterruptibly();
            assertThat(lease.isSuccess()).isFalse();
            assertThat(lease.cause().getMessage()).contains("the peer is " + MODEL + ", expected spiffe://it.example/ns/models/sa/other");
        }
    }

    @Test
    void aModelThatDoesNotAnswerInTimeGets504() throws Exception {
        assertThat(send(app.svid(), "GET /hang HTTP/1.1\r\nHost: model\r\n\r\n"))
                .startsWith("HTTP/1.1 504").contains("x-aimesh-reason: upstream-timeout").contains("within 1s");
        assertThat(send(app.svid(), "GET /echo HTTP/1.1\r\nHost: model\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 200");
    }

    @Test
    void tlsGarbageAndHalfOpenConnectionsAreClosedAndOthersServed() throws Exception {
        try (Socket garbage = new Socket(inbound().getAddress(), inbound().getPort());
                Socket silent = new Socket(inbound().getAddress(), inbound().getPort())) {
            garbage.setSoTimeout(10_000);
            silent.setSoTimeout(10_000);
            garbage.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(drain(garbage.getInputStream())).isEqualTo(-1);
            // The half-open connection is closed when the handshake timeout (1 s here) passes.
            assertThat(drain(silent.getInputStream())).isEqualTo(-1);
        }
        assertThat(send(app.svid(), "GET /echo HTTP/1.1\r\nHost: model\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 200");
    }

    private static int drain(InputStream in) throws java.io.IOException {
        int n;
        while ((n = in.read()) >= 0) {
            // a TLS alert at most
        }
        return n;
    }

    @Test
    void ambiguousFramingOversizedHeadsAndBodiesNeverReachTheModel() throws Exception {
        int before = model.requests();
        assertThat(send(app.svid(), "POST /echo HTTP/1.1\r\nHost: model\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: model\r\n\r\n"))
                .startsWith("HTTP/1.1 400").containsPattern("x-aimesh-reason: (malformed-request|ambiguous-framing)")
                .contains("Transfer-Encoding").doesNotContain("smuggled");
        assertThat(send(app.svid(), "POST /echo HTTP/1.1\r\nHost: model\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"))
                .startsWith("HTTP/1.1 400");
        assertThat(send(app.svid(), "GET /echo HTTP/1.1\r\nHost: model\r\nX-Big: " + "a".repeat(5000) + "\r\n\r\n"))
                .startsWith("HTTP/1.1 431").contains("larger than 4096 bytes");
        assertThat(send(app.svid(), "GET /" + "a".repeat(2000) + " HTTP/1.1\r\nHost: model\r\n\r\n")).startsWith("HTTP/1.1 414");
        assertThat(send(app.svid(), "POST /echo HTTP/1.1\r\nHost: model\r\nContent-Length: 70000\r\n\r\n"))
                .startsWith("HTTP/1.1 413").contains("x-aimesh-reason: body-too-large");
        String chunk = Integer.toHexString(40_000) + "\r\n" + "b".repeat(40_000) + "\r\n";
        String answer = send(app.svid(), "POST /echo HTTP/1.1\r\nHost: model\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk + chunk + "0\r\n\r\n");
        assertThat(answer).doesNotContain("HTTP/1.1 200");
        assertThat(model.requests()).as("none of these reached the model").isEqualTo(before);
    }

    private static CliProcess.Result opensslAlpn(String protocols) throws Exception {
        Path cert = java.nio.file.Files.createTempFile(tmp, "cert", ".pem");
        Path key = java.nio.file.Files.createTempFile(tmp, "key", ".pem");
        java.nio.file.Files.writeString(cert, dev.aimesh.identity.x509.Pem.certificates(app.svid().chain()));
        java.nio.file.Files.writeString(key, dev.aimesh.identity.x509.Pem.privateKey(app.svid().privateKey()));
        return CliProcess.run(java.util.List.of("openssl", "s_client", "-connect", "127.0.0.1:" + inbound().getPort(), "-tls1_3",
                "-alpn", protocols, "-cert", cert.toString(), "-key", key.toString()), java.util.Map.of(), Duration.ofSeconds(20));
    }

    @Test
    void anUnknownAlpnProtocolIsRefusedWithNoApplicationProtocol() throws Exception {
        CliProcess.Result foo = opensslAlpn("foo");
        assertThat(foo.out() + foo.err()).as(foo::toString).contains("alert no application protocol")
                .doesNotContain("ALPN protocol: http/1.1");
        CliProcess.Result mixed = opensslAlpn("foo,http/1.1");
        assertThat(mixed.out()).as(mixed::toString).contains("ALPN protocol: http/1.1");
        assertThat(send(app.svid(), "GET /echo HTTP/1.1\r\nHost: model\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 200");
    }
}
