package dev.aimesh.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.aimesh.controlplane.audit.HashChainedAuditLog;
import dev.aimesh.testkit.Curl;
import dev.aimesh.testkit.ModelAndCallers;
import dev.aimesh.testkit.TestMesh;

/**
 * A flood of certificate-less handshakes does not hide real denials: while thousands of TLS handshakes
 * without a client certificate hit the model's inbound proxy, a caller's denied calls (curl, HTTP/1.1 and
 * HTTP/2) each reach the audit log, and the handshakes arrive as a few counted aggregates whose counts
 * add up to every one of them; nothing is refused or dropped on the way.
 */
class AuditFloodIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int HANDSHAKES = 3000;
    private static final int DENIALS_PER_PROTOCOL = 10;
    private static final String DENY_ADMIN = """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: no-admin, namespace: models}
            spec:
              action: DENY
              rules: [{to: [{operation: {paths: ["/admin/*"]}}]}]
            """;

    @TempDir
    Path tmp;

    @Test
    void everyDenialDuringAHandshakeFloodIsAuditedAndTheFloodArrivesCounted() throws Exception {
        TestMesh mesh = new TestMesh(tmp, TestMesh.meshWithLifetime("1h"), InstantSource.system());
        mesh.write("site.yaml", TestMesh.SITE);
        mesh.write("policies.yaml", DENY_ADMIN);
        mesh.restart();
        try (ModelAndCallers cast = ModelAndCallers.start(mesh)) {
            InetSocketAddress inbound = cast.server().inboundAddress().orElseThrow();
            ExecutorService flood = Executors.newFixedThreadPool(8);
            List<Future<?>> handshakes = new ArrayList<>();
            for (int i = 0; i < HANDSHAKES; i++) {
                handshakes.add(flood.submit(() -> handshakeWithoutCertificate(inbound)));
            }
            Set<String> denied = new java.util.HashSet<>();
            for (int i = 0; i < DENIALS_PER_PROTOCOL; i++) {
                for (String protocol : List.of("http1.1", "h2")) {
                    String path = "/admin/flood-" + protocol + "-" + i;
                    Curl.assertStatus(Curl.run(protocol, "http://127.0.0.1:" + cast.app().outboundAddress().orElseThrow().getPort()
                            + path, "-H", "Host: model.models"), 403);
                    denied.add(path);
                }
            }
            for (Future<?> handshake : handshakes) {
                handshake.get();
            }
            flood.shutdown();

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                List<JsonNode> entries = entries(mesh);
                assertThat(entries.stream().filter(e -> type(e, "authz.denied")).map(e -> e.path("path").asText())
                        .collect(Collectors.toSet())).containsAll(denied);
                assertThat(entries.stream().filter(e -> type(e, "peer-authn.refused")
                        && e.path("reason").asText().startsWith("TLS handshake"))
                        .mapToLong(e -> e.path("count").asLong(1)).sum()).isEqualTo(HANDSHAKES);
            });
            List<JsonNode> entries = entries(mesh);
            assertThat(entries.stream().filter(e -> type(e, "authz.denied")).count()).isEqualTo(denied.size());
            long noise = entries.stream().filter(e -> type(e, "peer-authn.refused")).count();
            System.out.println(HANDSHAKES + " failed handshakes arrived as " + noise + " audit entries");
            assertThat(noise).as("aggregates of the flood").isLessThan(HANDSHAKES / 20);
            assertThat(entries).noneMatch(e -> type(e, "audit.refused") || type(e, "audit.dropped"));
            assertThat(HashChainedAuditLog.verify(mesh.cp.auditLog())).isEmpty();
        } finally {
            mesh.close();
        }
    }

    private static boolean type(JsonNode entry, String type) {
        return entry.path("type").asText().equals(type);
    }

    static List<JsonNode> entries(TestMesh mesh) {
        try {
            List<JsonNode> entries = new ArrayList<>();
            for (String line : Files.readAllLines(mesh.cp.auditLog())) {
                entries.add(JSON.readTree(line));
            }
            return entries;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What a scanner does: a full TLS 1.3 handshake with no client certificate, then read the server's alert. */
    private static Void handshakeWithoutCertificate(InetSocketAddress address) throws Exception {
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(null, new TrustManager[] {TRUST_ANYONE}, null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(address.getAddress(), address.getPort())) {
            socket.setSoTimeout(10_000);
            try {
                socket.startHandshake();
                InputStream in = socket.getInputStream();
                while (in.read() >= 0) {
                    // until the alert (certificate_required) ends the connection
                }
            } catch (IOException expected) {
                // refused: what is under test is what the audit trail makes of it
            }
        }
        return null;
    }

    private static final X509TrustManager TRUST_ANYONE = new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    };
}
