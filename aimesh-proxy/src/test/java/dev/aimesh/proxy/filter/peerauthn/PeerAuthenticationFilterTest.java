package dev.aimesh.proxy.filter.peerauthn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.audit.SecurityEvent;
import dev.aimesh.core.authz.Authorizer;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.peerauthn.EffectiveMtls;
import dev.aimesh.core.resource.PeerAuthentication.MtlsMode;
import dev.aimesh.proxy.filter.FilterDecision;
import dev.aimesh.proxy.filter.PeerIdentity;
import dev.aimesh.proxy.filter.TestExchanges;
import dev.aimesh.proxy.filter.TestPipeline;
import dev.aimesh.proxy.snapshot.ProxySnapshot;

/** Plain text is served only while the exchange's snapshot allows it; a verified peer always is. */
class PeerAuthenticationFilterTest {
    private final List<SecurityEvent.Type> events = new ArrayList<>();
    private final PeerAuthenticationFilter filter = new PeerAuthenticationFilter(new PeerAuthenticationConfig(
            (type, fields) -> events.add(type)));
    private final EmbeddedChannel downstream = new EmbeddedChannel();

    @AfterEach
    void close() {
        downstream.finishAndReleaseAll();
    }

    private static ProxySnapshot.Policy mode(MtlsMode mode) {
        ProxySnapshot.Policy p = TestExchanges.policy("1", Authorizer.allowAll());
        return new ProxySnapshot.Policy("1", p.authorizer(), p.authenticator(),
                new EffectiveMtls(mode, EffectiveMtls.Scope.MESH, Optional.of("istio-system/default")), p.network(),
                p.registry(), p.forwardedPath());
    }

    private FilterDecision decide(ProxySnapshot.Policy policy) {
        var snapshot = TestExchanges.snapshot(policy, TestExchanges.chain(TestExchanges.upstream(new EmbeddedChannel()), filter));
        var request = TestExchanges.get("/x");
        return filter.onRequestHeaders(TestExchanges.exchange(snapshot, downstream, request, false), TestExchanges.head(request));
    }

    @Test
    void plainTextUnderStrictIsRefusedAndReported() {
        FilterDecision decision = decide(mode(MtlsMode.STRICT));
        assertThat(((FilterDecision.Respond) decision).code()).isEqualTo("mtls-required");
        assertThat(((FilterDecision.Respond) decision).message()).contains("STRICT by the mesh policy istio-system/default");
        assertThat(events).containsExactly(SecurityEvent.Type.PEER_AUTHN_REFUSED);
        assertThat(decide(mode(MtlsMode.PERMISSIVE))).isSameAs(FilterDecision.CONTINUE);
    }

    @Test
    void aVerifiedPeerPassesUnderStrict() {
        downstream.attr(PeerIdentity.KEY).set(new PeerIdentity(SpiffeId.parse("spiffe://cluster.local/ns/a/sa/b"), "By=x"));
        assertThat(decide(mode(MtlsMode.STRICT))).isSameAs(FilterDecision.CONTINUE);
    }

    @Test
    void inAPipelineAPlainTextRequestUnderStrictGets403() {
        try (TestPipeline pipeline = new TestPipeline(upstream -> TestExchanges.snapshot(mode(MtlsMode.STRICT),
                TestExchanges.chain(TestExchanges.upstream(upstream), filter)), null)) {
            pipeline.send("GET / HTTP/1.1\r\nHost: m\r\n\r\n");
            assertThat(pipeline.answered()).startsWith("HTTP/1.1 403").contains("x-aimesh-reason: mtls-required");
            assertThat(pipeline.forwarded()).isNull();
        }
    }
}
