package dev.aimesh.proxy.filter.xfcc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.util.AsciiString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.authz.Authorizer;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.proxy.filter.FilterDecision;
import dev.aimesh.proxy.filter.PeerIdentity;
import dev.aimesh.proxy.filter.TestExchanges;
import dev.aimesh.proxy.filter.TestPipeline;
import dev.aimesh.proxy.headers.Http1Headers;
import dev.aimesh.proxy.http.ForwardedClientCert;

/** The caller's identity reaches the model only as the proxy wrote it. */
class ForwardedClientCertFilterTest {
    private final ForwardedClientCertFilter filter = new ForwardedClientCertFilter(new ForwardedClientCertConfig(
            ForwardedClientCert.HEADER));
    private final EmbeddedChannel downstream = new EmbeddedChannel();

    @AfterEach
    void close() {
        downstream.finishAndReleaseAll();
    }

    @Test
    void theVerifiedPeerReplacesWhatTheClientSentAndAPlainTextCallerGetsNone() {
        var snapshot = TestExchanges.snapshot(TestExchanges.policy("1", Authorizer.allowAll()),
                TestExchanges.chain(TestExchanges.upstream(new EmbeddedChannel()), filter));
        var spoofed = TestExchanges.get("/x");
        spoofed.headers().add("x-forwarded-client-cert", "By=me;URI=spiffe://cluster.local/ns/x/sa/admin");
        assertThat(filter.onRequestHeaders(TestExchanges.exchange(snapshot, downstream, spoofed, false),
                TestExchanges.head(spoofed))).isSameAs(FilterDecision.CONTINUE);
        assertThat(spoofed.headers().contains("x-forwarded-client-cert")).as("plain text vouches for nobody").isFalse();

        downstream.attr(PeerIdentity.KEY).set(new PeerIdentity(SpiffeId.parse("spiffe://cluster.local/ns/a/sa/b"), "By=real"));
        var request = TestExchanges.get("/x");
        request.headers().add("x-forwarded-client-cert", "By=me");
        var exchange = TestExchanges.exchange(snapshot, downstream, request, false);
        filter.onRequestHeaders(exchange, TestExchanges.head(request));
        assertThat(request.headers().getAll("x-forwarded-client-cert")).containsExactly("By=real");
        DefaultHttpHeaders trailers = new DefaultHttpHeaders();
        trailers.add("X-Forwarded-Client-Cert", "By=me").add("x-checksum", "1");
        filter.onRequestTrailers(exchange, new Http1Headers(trailers));
        assertThat(trailers.names()).containsExactly("x-checksum");
    }

    @Test
    void theConfigWantsALowerCaseHeaderName() {
        assertThatThrownBy(() -> new ForwardedClientCertConfig(AsciiString.of("X-Forwarded: x")))
                .hasMessageContaining("expected: a lower-case header name");
    }

    @Test
    void inAPipelineTheModelGetsTheProxysValue() {
        try (TestPipeline pipeline = new TestPipeline(upstream -> TestExchanges.snapshot(TestExchanges.policy("1",
                Authorizer.allowAll()), TestExchanges.chain(TestExchanges.upstream(upstream), filter)),
                new PeerIdentity(SpiffeId.parse("spiffe://cluster.local/ns/a/sa/b"), "By=real"))) {
            pipeline.send("GET / HTTP/1.1\r\nHost: m\r\nx-forwarded-client-cert: By=fake\r\n\r\n");
            assertThat(pipeline.forwarded().headers().getAll("x-forwarded-client-cert")).containsExactly("By=real");
        }
    }
}
