package dev.aimesh.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Date;
import java.util.List;
import java.util.function.Predicate;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import dev.aimesh.controlplane.audit.HashChainedAuditLog;
import dev.aimesh.testkit.CliProcess.Result;
import dev.aimesh.testkit.Curl;
import dev.aimesh.testkit.EchoUpstream;
import dev.aimesh.testkit.ModelAndCallers;
import dev.aimesh.testkit.TestMesh;
import dev.aimesh.proxy.Proxy;

/**
 * What the proxies refuse reaches the control plane's hash-chained audit log: a denied call, a forged token
 * and a path trick (curl on HTTP/1.1 and HTTP/2 through real proxies), and an egress NetworkPolicy refusal,
 * each with the caller, the path as sent, what decided, and the verified identity of the proxy that
 * reported it; the chain stays intact.
 */
class AuditTrailIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REPORTED = Duration.ofSeconds(15);
    private static final String ISSUER = "https://login.example";
    private static final String POLICIES = """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: no-admin, namespace: models}
            spec:
              action: DENY
              rules: [{to: [{operation: {paths: ["/admin/*"]}}]}]
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: note-exports, namespace: models}
            spec:
              action: AUDIT
              rules: [{to: [{operation: {paths: ["/export"]}}]}]
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: trial-no-exports, namespace: models, annotations: {"istio.io/dry-run": "true"}}
            spec:
              action: DENY
              rules: [{to: [{operation: {paths: ["/export"]}}]}]
            ---
            apiVersion: security.istio.io/v1
            kind: RequestAuthentication
            metadata: {name: end-users, namespace: models}
            spec:
              jwtRules: [{issuer: "%s", jwks: '%s'}]
            ---
            apiVersion: aimesh.dev/v1alpha1
            kind: Workload
            metadata: {name: site, namespace: web}
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

    @TempDir
    static Path tmp;
    private static TestMesh mesh;
    private static ModelAndCallers cast;
    private static EchoUpstream model;
    private static Proxy server;
    private static Proxy app;
    private static Proxy site;

    @BeforeAll
    static void startMesh() throws Exception {
        ECKey trusted = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
        mesh = new TestMesh(tmp, TestMesh.meshWithLifetime("1h"), InstantSource.system());
        mesh.write("policies.yaml", POLICIES.formatted(ISSUER, new JWKSet(trusted.toPublicJWK())));
        mesh.restart();
        cast = ModelAndCallers.start(mesh);
        model = cast.model();
        server = cast.server();
        app = cast.app();
        site = cast.site();
    }

    @AfterAll
    static void stopMesh() {
        cast.close();
        mesh.close();
    }

    private static Result call(Proxy caller, String protocol, String path, String... headers) {
        List<String> args = new java.util.ArrayList<>(List.of("--path-as-is", "-H", "Host: model.models"));
        for (String header : headers) {
            args.addAll(List.of("-H", header));
        }
        return Curl.run(protocol, "http://127.0.0.1:" + caller.outboundAddress().orElseThrow().getPort() + path,
                args.toArray(String[]::new));
    }

    private static List<JsonNode> entries() {
        try {
            return Files.readAllLines(mesh.cp.auditLog()).stream().map(AuditTrailIT::parse).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The one entry that matches, once the reporter has sent it. */
    private static JsonNode awaitEntry(String type, Predicate<JsonNode> matches) {
        await().atMost(REPORTED).until(() -> entries().stream().anyMatch(e -> e.path("type").asText().equals(type)
                && matches.test(e)));
        List<JsonNode> found = entries().stream().filter(e -> e.path("type").asText().equals(type) && matches.test(e)).toList();
        assertThat(found).as("%s entries", type).hasSize(1);
        return found.get(0);
    }

    private static String id(Proxy proxy) {
        return proxy.identity().svid().id().toString();
    }

    private static void assertChainIntact() throws IOException {
        assertThat(HashChainedAuditLog.verify(mesh.cp.auditLog())).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http1.1", "h2"})
    void aDeniedCallIsInTheLogWithWhoCalledWhatAndWhichPolicyDecided(String protocol) throws IOException {
        String path = "/admin/users?from=" + protocol;
        Curl.assertStatus(call(app, protocol, path), 403);
        JsonNode entry = awaitEntry("authz.denied", e -> e.path("path").asText().equals(path));
        assertThat(entry.path("outcome").asText()).isEqualTo("denied");
        assertThat(entry.path("method").asText()).isEqualTo("GET");
        assertThat(entry.path("caller").asText()).isEqualTo(id(app));
        assertThat(entry.path("policy").asText()).contains("no-admin");
        assertThat(entry.path("rule").asText()).isEqualTo("0");
        assertThat(entry.path("reason").asText()).contains("denied by DENY policy");
        assertThat(entry.path("reporter").asText()).isEqualTo(id(server));
        assertChainIntact();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http1.1", "h2"})
    void aForgedTokenAndAPathTrickAreInTheLog(String protocol) throws Exception {
        ECKey forger = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
        SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k1").build(),
                new JWTClaimsSet.Builder().issuer(ISSUER).subject("mallory")
                        .expirationTime(Date.from(Instant.now().plusSeconds(300))).build());
        forged.sign(new ECDSASigner(forger));
        String tokenPath = "/echo?token=" + protocol;
        Curl.assertStatus(call(app, protocol, tokenPath, "Authorization: Bearer " + forged.serialize()), 401);
        JsonNode refusedToken = awaitEntry("jwt.refused", e -> e.path("path").asText().equals(tokenPath));
        assertThat(refusedToken.path("caller").asText()).isEqualTo(id(app));
        assertThat(refusedToken.path("reason").asText()).isNotEmpty();
        assertThat(refusedToken.path("reporter").asText()).isEqualTo(id(server));
        assertThat(refusedToken.toString()).doesNotContain(forged.serialize()); // never the credential itself

        String trick = "/admin%2Fusers?trick=" + protocol;
        Curl.assertStatus(call(app, protocol, trick), 400);
        JsonNode refusedPath = awaitEntry("request.refused", e -> e.path("path").asText().equals(trick));
        assertThat(refusedPath.path("outcome").asText()).isEqualTo("denied");
        assertThat(refusedPath.path("reason").asText()).startsWith("ambiguous-path: ");
        assertThat(refusedPath.path("caller").asText()).isEqualTo(id(app));
        assertChainIntact();
    }

    @Test
    void anEgressRefusalIsReportedByTheCallersProxy() throws IOException {
        Curl.assertStatus(call(site, "http1.1", "/echo?egress"), 403);
        JsonNode entry = awaitEntry("netpol.egress.denied", e -> e.path("path").asText().equals("/echo?egress"));
        assertThat(entry.path("destination").asText()).isEqualTo("models/model");
        assertThat(entry.path("caller").asText()).isEqualTo("127.0.0.1");
        assertThat(entry.path("reporter").asText()).isEqualTo(id(site));
        assertThat(entry.path("reason").asText()).contains("NetworkPolicy");
        assertChainIntact();
    }

    @Test
    void anAuditPolicyMatchAndADryRunDenialAreNotedAndTheRequestGoesThrough() throws IOException {
        Curl.assertStatus(call(app, "h2", "/export"), 200);
        JsonNode entry = awaitEntry("authz.audit", e -> e.path("path").asText().equals("/export"));
        assertThat(entry.path("outcome").asText()).isEqualTo("info");
        assertThat(entry.path("policy").asText()).contains("note-exports");
        assertThat(entry.path("caller").asText()).isEqualTo(id(app));
        JsonNode dryRun = awaitEntry("authz.dry-run", e -> e.path("path").asText().equals("/export"));
        assertThat(dryRun.path("outcome").asText()).isEqualTo("info");
        assertThat(dryRun.path("policy").asText()).contains("trial-no-exports");
        assertThat(dryRun.path("rule").asText()).isEqualTo("0");
        assertThat(dryRun.path("reason").asText()).startsWith("would deny: ");
        assertChainIntact();
    }

    @Test
    void aPlainTextCallerAndACallerWithoutACertificateAreRefusedAndInTheLog() throws IOException {
        int inbound = server.inboundAddress().orElseThrow().getPort();
        assertThat(Curl.run("http1.1", "http://127.0.0.1:" + inbound + "/echo").exit()).isNotZero();
        JsonNode plain = awaitEntry("peer-authn.refused", e -> e.path("reason").asText().startsWith("mTLS is required"));
        assertThat(plain.path("caller").asText()).isEqualTo("127.0.0.1");
        assertThat(plain.path("reporter").asText()).isEqualTo(id(server));

        assertThat(Curl.run("http1.1", "https://127.0.0.1:" + inbound + "/echo", "-k").exit()).isNotZero();
        JsonNode noCertificate = awaitEntry("peer-authn.refused", e -> e.path("reason").asText().startsWith("TLS handshake"));
        assertThat(noCertificate.path("caller").asText()).isEqualTo("127.0.0.1");
        assertChainIntact();
    }
}
