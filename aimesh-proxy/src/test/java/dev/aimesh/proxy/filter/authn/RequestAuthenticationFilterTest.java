package dev.aimesh.proxy.filter.authn;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.audit.SecurityEvent;
import dev.aimesh.core.authz.Authorizer;
import dev.aimesh.core.resource.ConfigLoader;
import dev.aimesh.core.resource.RequestAuthentication;
import dev.aimesh.proxy.filter.ExchangeContext;
import dev.aimesh.proxy.filter.FilterDecision;
import dev.aimesh.proxy.filter.TestExchanges;
import dev.aimesh.proxy.filter.TestPipeline;
import dev.aimesh.proxy.snapshot.ProxySnapshot;

/** End-user tokens: none is anonymous, a bad one is 401, and only the proxy writes the claim headers. */
public class RequestAuthenticationFilterTest {
    private static final RequestAuthenticator AUTHENTICATOR;

    static {
        String jwks;
        try {
            jwks = new JWKSet(new ECKeyGenerator(Curve.P_256).keyID("k1").generate().toPublicJWK()).toString();
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new IllegalStateException(e);
        }
        var loaded = ConfigLoader.load(List.of(new ConfigLoader.SourceFile("ra.yaml", """
                apiVersion: security.istio.io/v1
                kind: RequestAuthentication
                metadata: {name: users, namespace: models}
                spec:
                  jwtRules:
                  - issuer: https://issuer.example
                    jwks: '%s'
                    outputClaimToHeaders: [{header: x-user, claim: sub}]
                """.formatted(jwks))));
        if (!loaded.diagnostics().isEmpty()) {
            throw new IllegalStateException(loaded.diagnostics().toString());
        }
        AUTHENTICATOR = RequestAuthenticator.compile(List.of((RequestAuthentication) loaded.resources().get(0)),
                new JwksSources(), InstantSource.system());
    }

    private final List<Map<SecurityEvent.Field, String>> events = new ArrayList<>();
    private final RequestAuthenticationFilter filter = new RequestAuthenticationFilter(new RequestAuthenticationConfig(
            (type, fields) -> events.add(fields)));
    private final EmbeddedChannel downstream = new EmbeddedChannel();

    @AfterEach
    void close() {
        downstream.finishAndReleaseAll();
    }

    /** A snapshot policy with one RequestAuthentication (an issuer with an inline key). */
    public static ProxySnapshot.Policy policy() {
        ProxySnapshot.Policy base = TestExchanges.policy("j1", Authorizer.allowAll());
        return new ProxySnapshot.Policy("j1", base.authorizer(), AUTHENTICATOR, base.mtls(), base.network(), base.registry(),
                base.forwardedPath());
    }

    @Test
    void withoutATokenTheRequestIsAnonymousAndLosesTheClaimHeaders() {
        var snapshot = TestExchanges.snapshot(policy(), TestExchanges.chain(TestExchanges.upstream(new EmbeddedChannel()), filter));
        var request = TestExchanges.get("/x");
        request.headers().set("x-user", "mallory");
        ExchangeContext exchange = TestExchanges.exchange(snapshot, downstream, request, false);
        assertThat(filter.onRequestHeaders(exchange, TestExchanges.head(request))).isSameAs(FilterDecision.CONTINUE);
        assertThat(exchange.token()).isEqualTo(Optional.empty());
        assertThat(request.headers().contains("x-user")).isFalse();
    }

    @Test
    void aBadTokenIs401AndReportedWithTheVersion() {
        var snapshot = TestExchanges.snapshot(policy(), TestExchanges.chain(TestExchanges.upstream(new EmbeddedChannel()), filter));
        var request = TestExchanges.get("/x");
        request.headers().set("authorization", "Bearer not.a.jwt");
        FilterDecision decision = filter.onRequestHeaders(TestExchanges.exchange(snapshot, downstream, request, false),
                TestExchanges.head(request));
        assertThat(((FilterDecision.Respond) decision).status()).isEqualTo(401);
        assertThat(((FilterDecision.Respond) decision).code()).isEqualTo("jwt-invalid");
        assertThat(events).singleElement().satisfies(e -> assertThat(e.get(SecurityEvent.Field.CONFIG_VERSION)).isEqualTo("j1"));
    }

    @Test
    void inAPipelineABadTokenNeverReachesTheModel() {
        try (TestPipeline pipeline = new TestPipeline(upstream -> TestExchanges.snapshot(policy(),
                TestExchanges.chain(TestExchanges.upstream(upstream), filter)), null)) {
            pipeline.send("GET / HTTP/1.1\r\nHost: m\r\nAuthorization: Bearer x.y.z\r\n\r\n");
            assertThat(pipeline.answered()).startsWith("HTTP/1.1 401").contains("x-aimesh-reason: jwt-invalid");
            assertThat(pipeline.forwarded()).isNull();
        }
    }
}
