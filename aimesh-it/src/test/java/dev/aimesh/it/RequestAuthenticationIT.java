package dev.aimesh.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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
 * Istio RequestAuthentication at the model's proxy: end-user JWTs from a JWKS served on loopback (by
 * jwksUri and by OIDC discovery), refused with 401 when they fail, passed as a request principal and claims
 * to authorization when they verify; a request without a token is left to authorization. Driven by curl on
 * HTTP/1.1 and HTTP/2.
 */
class RequestAuthenticationIT {
    private static final String ISSUER = "https://login.example";

    @TempDir
    static Path tmp;
    private static TestMesh mesh;
    private static EchoUpstream model;
    private static Proxy server;
    private static Proxy app;
    private static HttpServer idp;
    private static ECKey key;
    private static String discoveryIssuer;
    private static final AtomicInteger jwksFetches = new AtomicInteger();
    private static final java.util.concurrent.atomic.AtomicReference<String> jwks = new java.util.concurrent.atomic.AtomicReference<>();

    @BeforeAll
    static void startMesh() throws Exception {
        key = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
        idp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        jwks.set(new JWKSet(key.toPublicJWK()).toString());
        idp.createContext("/jwks.json", exchange -> {
            jwksFetches.incrementAndGet();
            byte[] body = jwks.get().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        String base = "http://127.0.0.1:" + idp.getAddress().getPort();
        discoveryIssuer = base + "/oidc";
        idp.createContext("/oidc/.well-known/openid-configuration", exchange -> {
            byte[] body = ("{\"issuer\":\"" + discoveryIssuer + "\",\"jwks_uri\":\"" + base + "/jwks.json\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        idp.start();
        mesh = new TestMesh(tmp, TestMesh.meshWithLifetime("1h"), InstantSource.system());
        mesh.write("jwt.yaml", """
                apiVersion: security.istio.io/v1
                kind: RequestAuthentication
                metadata: {name: end-users, namespace: models}
                spec:
                  jwtRules:
                  - issuer: %s
                    audiences: [llm]
                    jwksUri: %s/jwks.json
                    outputClaimToHeaders: [{header: x-user, claim: sub}]
                  - issuer: %s
                    outputPayloadToHeader: x-jwt-payload
                    forwardOriginalToken: true
                  - issuer: https://gone.example
                    jwksUri: http://127.0.0.1:1/jwks.json
                ---
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: users-only, namespace: models}
                spec:
                  rules:
                  - from: [{source: {requestPrincipals: ["%s/*"]}}]
                    when: [{key: "request.auth.claims[groups]", values: [ml]}]
                  - from: [{source: {requestPrincipals: ["%s/*"]}}]
                """.formatted(ISSUER, base, discoveryIssuer, ISSUER, discoveryIssuer));
        mesh.restart();
        model = new EchoUpstream().start();
        server = mesh.serverProxy("models/model", model.address(), false, ProxyLimits.DEFAULTS);
        app = mesh.clientProxy("apps/app");
        TestMesh.awaitModelEndpoint(app);
    }

    @AfterAll
    static void stopMesh() {
        app.close();
        server.close();
        model.close();
        mesh.close();
        idp.stop(0);
    }

    private static String token(String issuer, String audience, Instant expires, List<String> groups) throws Exception {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer(issuer).subject("alice").expirationTime(Date.from(expires))
                .claim("groups", groups);
        if (audience != null) {
            claims.audience(audience);
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k1").build(), claims.build());
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }

    private static String good() throws Exception {
        return token(ISSUER, "llm", Instant.now().plusSeconds(300), List.of("staff", "ml"));
    }

    private static Result call(String protocol, String path, String... headers) {
        List<String> args = new ArrayList<>(List.of("-H", "Host: model.models"));
        for (String h : headers) {
            args.addAll(List.of("-H", h));
        }
        return Curl.run(protocol, "http://127.0.0.1:" + app.outboundAddress().orElseThrow().getPort() + path,
                args.toArray(String[]::new));
    }

    private static void assertStatus(Result r, int status) {
        Curl.assertStatus(r, status);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http1.1", "h2"})
    void aValidTokenMakesARequestPrincipalAndItsClaimsReachAuthorization(String protocol) throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> jwksFetches.get() > 0);
        Result ok = call(protocol, "/echo", "Authorization: Bearer " + good());
        assertStatus(ok, 200);
        assertThat(ok.out()).contains("x-user=alice").doesNotContain("authorization="); // forwardOriginalToken: false

        assertStatus(call(protocol, "/echo?access_token=" + good()), 200);
        // verified, but not in the group the policy asks for
        assertStatus(call(protocol, "/echo", "Authorization: Bearer " + token(ISSUER, "llm", Instant.now().plusSeconds(300),
                List.of("staff"))), 403);
        // no token: authentication passes it, authorization wants a request principal
        assertStatus(call(protocol, "/echo"), 403);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http1.1", "h2"})
    void badTokensAreRefusedWith401AndTheReasonAndNeverReachTheModel(String protocol) throws Exception {
        int before = model.requests();
        Result expired = call(protocol, "/echo", "Authorization: Bearer " + token(ISSUER, "llm", Instant.now().minusSeconds(600),
                List.of("ml")));
        assertStatus(expired, 401);
        assertThat(expired.out()).contains("Jwt verification fails: expired at");
        assertThat(call(protocol, "/echo", "Authorization: Bearer " + token(ISSUER, "other", Instant.now().plusSeconds(300),
                List.of("ml"))).out()).contains("status=401", "audience other is not accepted");
        assertThat(call(protocol, "/echo", "Authorization: Bearer " + token("https://evil.example", "llm",
                Instant.now().plusSeconds(300), List.of("ml"))).out()).contains("status=401", "issuer https://evil.example has no rule");

        String[] parts = good().split("\\.");
        String none = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8))
                + "." + parts[1] + ".";
        assertThat(call(protocol, "/echo", "Authorization: Bearer " + none).out()).contains("status=401", "alg none is not accepted");
        // key confusion: HS256 with the issuer's public key as the secret
        SignedJWT hs = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), JWTClaimsSet.parse(new String(
                Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)));
        hs.sign(new MACSigner(key.toPublicJWK().toECPublicKey().getEncoded()));
        assertThat(call(protocol, "/echo", "Authorization: Bearer " + hs.serialize()).out()).contains("status=401", "alg HS256 is not accepted");
        String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("{\"iss\":\"" + ISSUER + "\",\"sub\":\"mallory\",\"aud\":\"llm\",\"groups\":[\"ml\"]}").getBytes(StandardCharsets.UTF_8))
                + "." + parts[2];
        assertThat(call(protocol, "/echo", "Authorization: Bearer " + tampered).out()).contains("status=401", "signature does not verify");
        // an issuer whose JWKS cannot be fetched: fail closed, and say why
        assertThat(call(protocol, "/echo", "Authorization: Bearer " + token("https://gone.example", null,
                Instant.now().plusSeconds(300), List.of("ml"))).out()).contains("status=401", "cannot be fetched");
        assertThat(model.requests()).isEqualTo(before);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http1.1", "h2"})
    void keysFoundByOidcDiscoveryVerifyAndThePayloadIsPassedOn(String protocol) throws Exception {
        String token = token(discoveryIssuer, null, Instant.now().plusSeconds(300), List.of());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertStatus(call(protocol, "/echo",
                "Authorization: Bearer " + token), 200));
        Result ok = call(protocol, "/echo", "Authorization: Bearer " + token);
        assertThat(ok.out()).contains("authorization=Bearer " + token) // forwardOriginalToken: true
                .contains("x-jwt-payload=" + token.split("\\.")[1]);
    }

    @org.junit.jupiter.api.Test
    void aKeyTheIssuerRotatedInIsFetchedWhenATokenFirstNamesIt() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> jwksFetches.get() > 0);
        ECKey rotated = new ECKeyGenerator(Curve.P_256).keyID("k2").generate();
        jwks.set(new JWKSet(List.of(key.toPublicJWK(), rotated.toPublicJWK())).toString());
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k2").build(), new JWTClaimsSet.Builder()
                .issuer(ISSUER).subject("bob").audience("llm").claim("groups", List.of("ml"))
                .expirationTime(Date.from(Instant.now().plusSeconds(300))).build());
        jwt.sign(new ECDSASigner(rotated));
        String token = jwt.serialize();
        // the first use of the new key id sends the proxy back to the issuer; soon after, the token verifies
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertStatus(call("h2", "/echo",
                "Authorization: Bearer " + token), 200));
        assertThat(call("http1.1", "/echo", "Authorization: Bearer " + token).out()).contains("status=200", "x-user=bob");
    }
}
