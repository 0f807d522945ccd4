package dev.aimesh.proxy.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.authz.Authorizer;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.peerauthn.EffectiveMtls;
import dev.aimesh.core.resource.PeerAuthentication.MtlsMode;
import dev.aimesh.core.resource.Workload;
import dev.aimesh.proxy.filter.FilterChain;
import dev.aimesh.proxy.filter.PeerIdentity;
import dev.aimesh.proxy.filter.TestExchanges;
import dev.aimesh.proxy.snapshot.NetworkView;
import dev.aimesh.proxy.snapshot.ProxySnapshot;
import dev.aimesh.proxy.snapshot.RegistryIndex;
import dev.aimesh.core.resource.ConfigLoader;
import dev.aimesh.core.resource.RequestAuthentication;
import dev.aimesh.proxy.filter.authn.JwksSources;
import dev.aimesh.proxy.filter.authn.RequestAuthenticator;
import dev.aimesh.proxy.filter.common.SecurityEventSink;
import dev.aimesh.proxy.http.ExchangeHandler;
import dev.aimesh.proxy.http.ProxyLimits;

/**
 * The headers only the inbound proxy may write (the claim and payload headers of RequestAuthentication,
 * x-forwarded-client-cert) reach the model as the proxy wrote them or not at all: sent by the client in
 * the headers or in the trailers, with a token or without, over HTTP/1.1 or as HTTP/2 stream objects.
 */
class IdentityHeadersTest {
    private static final String ISSUER = "https://login.example";
    private static ECKey key;
    private static RequestAuthenticator authenticator;

    private final EmbeddedChannel upstream = new EmbeddedChannel();
    private final List<Object> received = new ArrayList<>();

    @BeforeAll
    static void compile() throws Exception {
        key = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
        var loaded = ConfigLoader.load(List.of(new ConfigLoader.SourceFile("jwt.yaml", """
                apiVersion: security.istio.io/v1
                kind: RequestAuthentication
                metadata: {name: users, namespace: models}
                spec:
                  jwtRules:
                  - issuer: %s
                    jwks: '%s'
                    outputPayloadToHeader: x-jwt-payload
                    outputClaimToHeaders:
                    - {header: x-user, claim: sub}
                    - {header: x-groups, claim: groups}
                    - {header: x-org, claim: org}
                    - {header: X-Tiers, claim: tiers}
                """.formatted(ISSUER, new JWKSet(key.toPublicJWK()).toString()))));
        assertThat(loaded.diagnostics()).isEmpty();
        authenticator = RequestAuthenticator.compile(List.of((RequestAuthentication) loaded.resources().get(0)),
                new JwksSources(), InstantSource.system());
    }

    @AfterEach
    void releaseEverything() {
        received.forEach(ReferenceCountUtil::release);
        upstream.finishAndReleaseAll();
    }

    private static String token() throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k1").build(), new JWTClaimsSet.Builder()
                .issuer(ISSUER).subject("alice").expirationTime(Date.from(Instant.now().plusSeconds(300)))
                .claim("groups", List.of("ml", "staff")).claim("org", Map.of("name", "acme"))
                .claim("tiers", List.of(List.of("gold"))).build());
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }

    private EmbeddedChannel downstream(boolean http2) {
        InboundChain chains = new InboundChain(TestExchanges.upstream(upstream), 8000, InstantSource.system(),
                SecurityEventSink.NONE);
        ProxySnapshot.Policy policy = new ProxySnapshot.Policy("1", Authorizer.allowAll(), authenticator,
                new EffectiveMtls(MtlsMode.STRICT, EffectiveMtls.Scope.DEFAULT, Optional.empty()), NetworkView.NONE,
                RegistryIndex.NONE, Workload.ForwardedPath.NORMALIZED);
        FilterChain chain = chains.assemble(policy);
        EmbeddedChannel channel = http2 ? new EmbeddedChannel() : new EmbeddedChannel(new HttpServerCodec());
        channel.attr(PeerIdentity.KEY).set(new PeerIdentity(SpiffeId.parse("spiffe://cluster.local/ns/apps/sa/app"),
                "By=spiffe://cluster.local/ns/models/sa/model;URI=spiffe://cluster.local/ns/apps/sa/app"));
        channel.pipeline().addLast(new ExchangeHandler(TestExchanges.source(new ProxySnapshot(policy, chain, chain)),
                ProxyLimits.DEFAULTS, http2));
        return channel;
    }

    /** What the model got: the request's head and, if it had any, its trailers. */
    private HttpHeaders[] sent() {
        Object msg;
        HttpHeaders head = null;
        HttpHeaders trailers = null;
        while ((msg = upstream.readOutbound()) != null) {
            received.add(msg);
            if (msg instanceof HttpRequest r) {
                head = r.headers();
            }
            if (msg instanceof LastHttpContent last) {
                trailers = last.trailingHeaders();
            }
        }
        assertThat(head).as("the request reached the model").isNotNull();
        return new HttpHeaders[] {head, trailers};
    }

    private HttpHeaders[] http1(String head, String body) {
        EmbeddedChannel channel = downstream(false);
        channel.writeInbound(Unpooled.copiedBuffer(head + "\r\n" + body, StandardCharsets.ISO_8859_1));
        HttpHeaders[] sent = sent();
        channel.finishAndReleaseAll();
        return sent;
    }

    @Test
    void claimHeadersSentWithoutATokenNeverReachTheModel() {
        HttpHeaders headers = http1("GET /echo HTTP/1.1\r\nHost: model\r\nx-user: mallory\r\nX-Groups: admins\r\n"
                + "x-jwt-payload: e30\r\nx-tiers: gold\r\nx-forwarded-client-cert: By=me;URI=spiffe://cluster.local/ns/x/sa/admin\r\n",
                "")[0];
        assertThat(headers.names()).doesNotContain("x-user", "X-Groups", "x-jwt-payload", "x-tiers");
        assertThat(headers.getAll("x-forwarded-client-cert"))
                .containsExactly("By=spiffe://cluster.local/ns/models/sa/model;URI=spiffe://cluster.local/ns/apps/sa/app");
    }

    @Test
    void aValidTokenWritesScalarsAndListsOfScalarsAndLeavesOtherClaimsAbsentNotTheClientsValue() throws Exception {
        String token = token();
        HttpHeaders headers = http1("GET /echo HTTP/1.1\r\nHost: model\r\nAuthorization: Bearer " + token
                + "\r\nx-user: mallory\r\nx-org: evil\r\nx-tiers: gold\r\n", "")[0];
        assertThat(headers.getAll("x-user")).containsExactly("alice");
        assertThat(headers.getAll("x-groups")).containsExactly("ml,staff");
        assertThat(headers.contains("x-org")).as("an object claim").isFalse();
        assertThat(headers.contains("x-tiers")).as("a list of lists").isFalse();
        assertThat(headers.getAll("x-jwt-payload")).containsExactly(token.split("\\.")[1]);
        assertThat(headers.contains("authorization")).isFalse();
    }

    @Test
    void identityHeadersInHttp1ChunkedTrailersAreRemovedAndOtherTrailersPass() {
        HttpHeaders trailers = http1("POST /echo HTTP/1.1\r\nHost: model\r\nTransfer-Encoding: chunked\r\n",
                "5\r\nhello\r\n0\r\nx-user: mallory\r\nX-Forwarded-Client-Cert: By=me\r\nx-jwt-payload: e30\r\nx-checksum: 1\r\n\r\n")[1];
        assertThat(trailers.names()).containsExactly("x-checksum");
    }

    @Test
    void identityHeadersInHttp2TrailersAreRemovedAndOtherTrailersPass() {
        EmbeddedChannel channel = downstream(true);
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/echo");
        request.headers().set("host", "model").set("x-user", "mallory");
        LastHttpContent last = new DefaultLastHttpContent(Unpooled.copiedBuffer("hello", StandardCharsets.UTF_8));
        last.trailingHeaders().set("x-user", "mallory").set("x-forwarded-client-cert", "By=me").set("x-groups", "admins")
                .set("grpc-status-details", "kept");
        channel.writeInbound(request, last);
        HttpHeaders[] sent = sent();
        channel.finishAndReleaseAll();
        assertThat(sent[0].contains("x-user")).isFalse();
        assertThat(sent[1].names()).containsExactly("grpc-status-details");
    }

    @Test
    void claimValuesBecomeHeaderValuesOnlyWhenTheyAreScalarsOrListsOfScalars() {
        assertThat(RequestAuthenticator.claimHeaderValue("alice")).contains("alice");
        assertThat(RequestAuthenticator.claimHeaderValue(42L)).contains("42");
        assertThat(RequestAuthenticator.claimHeaderValue(true)).contains("true");
        assertThat(RequestAuthenticator.claimHeaderValue(List.of("a", 1, false))).contains("a,1,false");
        assertThat(RequestAuthenticator.claimHeaderValue(List.of())).isEmpty();
        assertThat(RequestAuthenticator.claimHeaderValue(Map.of("a", "b"))).isEmpty();
        assertThat(RequestAuthenticator.claimHeaderValue(List.of(Map.of("a", "b")))).isEmpty();
        assertThat(RequestAuthenticator.claimHeaderValue("a\r\nx-admin: yes")).as("no header injection").isEmpty();
        assertThat(RequestAuthenticator.claimHeaderValue(null)).isEmpty();
    }
}
