package dev.aimesh.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Date;
import java.util.List;
import java.util.Map;
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
import dev.aimesh.testkit.CliProcess.Result;
import dev.aimesh.testkit.CliProcess;
import dev.aimesh.testkit.Curl;
import dev.aimesh.testkit.HeaderEchoModel;
import dev.aimesh.testkit.TestMesh;
import dev.aimesh.proxy.Proxy;
import dev.aimesh.proxy.http.ProxyLimits;

/**
 * The headers that carry identity to the model (the claim and payload headers of RequestAuthentication,
 * x-forwarded-client-cert) reach it only as the inbound proxy wrote them: a caller that sends them itself,
 * without a token, with a token whose claim cannot be a header, or in the request's trailers (HTTP/1.1
 * chunked from a raw socket, HTTP/2 from nghttp), never gets its value to the model, while other trailers
 * do. Asserted on what a model server that shows headers and trailers received (over h2c; the HTTP/1.1
 * hop to a model is pipeline-tested in the proxy's IdentityHeadersTest).
 */
class IdentityHeadersIT {
    private static final String ISSUER = "https://login.example";
    private static final String FORGED_XFCC = "By=spiffe://it.example/ns/models/sa/llm;URI=spiffe://it.example/ns/ops/sa/admin";

    @TempDir
    static Path tmp;
    private static TestMesh mesh;
    private static HeaderEchoModel model;
    private static Proxy server;
    private static Proxy app;
    private static ECKey key;

    @BeforeAll
    static void startMesh() throws Exception {
        key = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
        mesh = new TestMesh(tmp, TestMesh.meshWithLifetime("1h"), InstantSource.system());
        mesh.write("jwt.yaml", """
                apiVersion: security.istio.io/v1
                kind: RequestAuthentication
                metadata: {name: end-users, namespace: models}
                spec:
                  jwtRules:
                  - issuer: %s
                    jwks: '%s'
                    outputPayloadToHeader: x-jwt-payload
                    outputClaimToHeaders:
                    - {header: x-user, claim: sub}
                    - {header: x-groups, claim: groups}
                    - {header: x-org, claim: org}
                """.formatted(ISSUER, new JWKSet(key.toPublicJWK()).toString()));
        mesh.restart();
        // h2c to the model: an HTTP/1.1 hop would drop every trailer of a request with a Content-Length (nghttp sends one)
        model = new HeaderEchoModel(true);
        server = mesh.serverProxy("models/model", model.address(), true, ProxyLimits.DEFAULTS);
        app = mesh.clientProxy("apps/app");
        TestMesh.awaitModelEndpoint(app);
    }

    @AfterAll
    static void stopMesh() {
        app.close();
        server.close();
        model.close();
        mesh.close();
    }

    private static int outbound() {
        return app.outboundAddress().orElseThrow().getPort();
    }

    private static String token() throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k1").build(), new JWTClaimsSet.Builder()
                .issuer(ISSUER).subject("alice").expirationTime(Date.from(Instant.now().plusSeconds(300)))
                .claim("groups", List.of("ml", "staff")).claim("org", Map.of("name", "acme")).build());
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }

    private static Result curl(String protocol, String... headers) {
        List<String> args = new java.util.ArrayList<>(List.of("-H", "Host: model.models"));
        for (String h : headers) {
            args.addAll(List.of("-H", h));
        }
        return Curl.run(protocol, "http://127.0.0.1:" + outbound() + "/echo", args.toArray(String[]::new));
    }

    /** The mesh's own XFCC, as the inbound proxy writes it for apps/app. */
    private static String ownXfcc(String received) {
        return received.lines().filter(l -> l.startsWith("header:x-forwarded-client-cert=")).findFirst().orElse("");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http1.1", "h2"})
    void claimHeadersACallerSendsWithoutATokenNeverReachTheModel(String protocol) {
        Result r = curl(protocol, "x-user: admin", "X-Groups: admins", "x-jwt-payload: e30", "x-org: acme",
                "x-forwarded-client-cert: " + FORGED_XFCC);
        Curl.assertStatus(r, 200);
        assertThat(r.out()).doesNotContain("header:x-user=", "header:x-groups=", "header:x-jwt-payload=", "header:x-org=",
                "ns/ops/sa/admin");
        assertThat(ownXfcc(r.out())).contains("URI=spiffe://it.example/ns/apps/sa/app");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http1.1", "h2"})
    void aValidTokenSetsItsClaimsAndAClaimThatCannotBeAHeaderLeavesItAbsent(String protocol) throws Exception {
        String token = token();
        Result r = curl(protocol, "Authorization: Bearer " + token, "x-user: admin", "x-org: acme-admins");
        Curl.assertStatus(r, 200);
        assertThat(r.out()).contains("header:x-user=alice\n", "header:x-groups=ml,staff\n",
                "header:x-jwt-payload=" + token.split("\\.")[1] + "\n")
                .doesNotContain("header:x-user=admin", "header:x-org=", "header:authorization=");
    }

    @Test
    void identityHeadersInHttp1ChunkedTrailersNeverReachTheModel() throws Exception {
        String request = "POST /echo HTTP/1.1\r\nHost: model.models\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "5\r\nhello\r\n0\r\nx-user: admin\r\nx-forwarded-client-cert: " + FORGED_XFCC
                + "\r\nx-jwt-payload: e30\r\nx-checksum: 5d41402a\r\n\r\n";
        String response;
        try (Socket socket = new Socket("127.0.0.1", outbound())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
        assertThat(response).startsWith("HTTP/1.1 200").contains("trailer:x-checksum=5d41402a")
                .doesNotContain("trailer:x-user", "trailer:x-forwarded-client-cert", "trailer:x-jwt-payload", "ns/ops/sa/admin");
    }

    @Test
    void identityHeadersInHttp2TrailersNeverReachTheModel() throws Exception {
        Path body = Files.writeString(tmp.resolve("body.txt"), "hello");
        Result r = CliProcess.run(List.of("nghttp", "-t", "20", "-H", ":authority: model.models", "-d", body.toString(),
                "--trailer", "x-user: admin", "--trailer", "x-forwarded-client-cert: " + FORGED_XFCC,
                "--trailer", "x-groups: admins", "--trailer", "x-checksum: 5d41402a",
                "http://127.0.0.1:" + outbound() + "/echo"), Map.of(), Duration.ofSeconds(30));
        assertThat(r.exit()).as(r::toString).isZero();
        assertThat(r.out()).as(r::toString).contains("path=/echo", "trailer:x-checksum=5d41402a")
                .doesNotContain("trailer:x-user", "trailer:x-forwarded-client-cert", "trailer:x-groups", "ns/ops/sa/admin");
    }
}
