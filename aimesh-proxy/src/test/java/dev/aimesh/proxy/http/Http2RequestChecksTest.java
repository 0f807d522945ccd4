package dev.aimesh.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.Test;
import dev.aimesh.proxy.filter.FilterDecision;

class Http2RequestChecksTest {
    private static Http2Headers h2(String method, String path) {
        return new DefaultHttp2Headers().method(method).path(path).scheme("http").authority("model.models");
    }

    @Test
    void http2RequestsAreHeldToHttp11sTargetLimits() {
        FilterDecision.Respond longPath = Http2RequestChecks.check(h2("GET", "/" + "a".repeat(9000)), ProxyLimits.DEFAULTS);
        assertThat(longPath.status()).isEqualTo(414);
        assertThat(longPath.code()).isEqualTo("request-line-too-long");
        // Netty's decoder refuses such a value already; the check does not rest on a codec option.
        Http2Headers unvalidated = new DefaultHttp2Headers(false).method("GET").path("/a\u0001b").scheme("http").authority("m");
        FilterDecision.Respond control = Http2RequestChecks.check(unvalidated, ProxyLimits.DEFAULTS);
        assertThat(control.status()).isEqualTo(400);
        assertThat(control.message()).contains("control, space or non-ASCII byte");
        assertThat(Http2RequestChecks.check(h2("POST", "/v1/chat/completions"), ProxyLimits.DEFAULTS)).isNull();
    }

    @Test
    void underscoreAndInternalHeadersAreDroppedOrTheRequestRefusedAsConfigured() {
        Http2Headers headers = h2("GET", "/").add("x_forwarded_client_cert", "evil").add("x-http2-scheme", "https")
                .add("x-http2-path", "/admin").add("x-kept", "1");
        assertThat(Http2RequestChecks.check(headers, ProxyLimits.DEFAULTS)).isNull();
        assertThat(headers.names().stream().map(CharSequence::toString).filter(n -> !n.startsWith(":")))
                .containsExactly("x-kept");
        FilterDecision.Respond refused = Http2RequestChecks.check(h2("GET", "/").add("x_forwarded_client_cert", "evil"),
                ProxyLimits.builder().underscoreHeaders(ProxyLimits.UnderscoreHeaders.REFUSE).build());
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.message()).contains("'x_forwarded_client_cert' has an underscore");
    }

    @Test
    void aHostBesideAuthorityMustNameTheSameAndThenGoes() {
        Http2Headers same = h2("GET", "/").add("host", "MODEL.models");
        assertThat(Http2RequestChecks.check(same, ProxyLimits.DEFAULTS)).isNull();
        assertThat(same.contains("host")).as("the authority carries it").isFalse();
        assertThat(same.authority().toString()).isEqualTo("model.models");

        FilterDecision.Respond other = Http2RequestChecks.check(h2("GET", "/").add("host", "other.models"), ProxyLimits.DEFAULTS);
        assertThat(other.status()).isEqualTo(400);
        assertThat(other.message()).contains("differs from :authority");

        Http2Headers hostOnly = new DefaultHttp2Headers().method("GET").path("/").scheme("http").add("host", "model.models");
        assertThat(Http2RequestChecks.check(hostOnly, ProxyLimits.DEFAULTS)).isNull();
        assertThat(hostOnly.authority().toString()).as("Host becomes the authority").isEqualTo("model.models");
        assertThat(hostOnly.contains("host")).isFalse();

        Http2Headers twoHosts = new DefaultHttp2Headers().method("GET").path("/").scheme("http").add("host", "a").add("host", "b");
        assertThat(Http2RequestChecks.check(twoHosts, ProxyLimits.DEFAULTS).message()).contains("Host headers that differ");
    }
}
