package dev.aimesh.proxy.filter.ai;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import dev.aimesh.core.authz.Authorizer;
import dev.aimesh.core.resource.ConfigLoader;
import dev.aimesh.core.resource.MeshConfig;
import dev.aimesh.proxy.filter.ExchangeContext;
import dev.aimesh.proxy.filter.FilterChain;
import dev.aimesh.proxy.filter.FilterDecision;
import dev.aimesh.proxy.filter.TestExchanges;
import dev.aimesh.proxy.filter.TestPipeline;
import dev.aimesh.proxy.filter.common.SecurityEventSink;
import dev.aimesh.proxy.snapshot.ProxySnapshot;

/** The model a request calls: from the path, else from its body when a rule needs it; not knowing fails closed. */
class AiAttributesFilterTest {
    static final Authorizer NO_HUGE;

    static {
        var loaded = ConfigLoader.load(List.of(new ConfigLoader.SourceFile("p.yaml", """
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: no-huge, namespace: models}
                spec:
                  action: DENY
                  rules: [{when: [{key: request.model, values: ["huge-*"]}]}]
                """)));
        NO_HUGE = Authorizer.forWorkload(MeshConfig.assemble(loaded.resources()).config(), "models", "llm", Map.of());
    }

    private final AiAttributesFilter filter = new AiAttributesFilter(AiAttributesConfig.defaults(SecurityEventSink.NONE));
    private final EmbeddedChannel downstream = new EmbeddedChannel();
    private final ProxySnapshot snapshot = TestExchanges.snapshot(TestExchanges.policy("1", NO_HUGE),
            new FilterChain(List.of(filter), (x, h) -> new FilterDecision.Respond(500, "unused", "unused"), SecurityEventSink.NONE));

    @AfterEach
    void close() {
        downstream.finishAndReleaseAll();
    }

    private static HttpRequest post(String path, String contentType) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path);
        request.headers().set("content-type", contentType);
        return request;
    }

    /** The model call after the body is read (the filter must have asked for it). */
    private ExchangeContext afterBody(HttpRequest request, String body, boolean complete, FilterDecision[] decision) {
        ExchangeContext exchange = TestExchanges.exchange(snapshot, downstream, request, true);
        var head = TestExchanges.head(request);
        assertThat(filter.onRequestHeaders(exchange, head)).as("the body is held for its model")
                .isInstanceOf(FilterDecision.Hold.class);
        ByteBuf bytes = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        decision[0] = filter.onHeldRequestBody(exchange, head, bytes, complete);
        bytes.release();
        return exchange;
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/chat/completions", "/v1/chat/completions/", "/V1/CHAT/COMPLETIONS", "/anything"})
    void theBodyIsReadForItsModelOnEveryRoute(String path) {
        FilterDecision[] decision = new FilterDecision[1];
        ExchangeContext exchange = afterBody(post(path, "application/json"), "{\"model\":\"huge-70b\"}", true, decision);
        assertThat(decision[0]).isSameAs(FilterDecision.CONTINUE);
        assertThat(exchange.call().model()).contains("huge-70b");
    }

    @Test
    void aModelThatCannotBeDeterminedIsMarkedSoAndJsonOverTheCapIsRefused() {
        FilterDecision[] decision = new FilterDecision[1];
        assertThat(afterBody(post("/v1/completions", "text/plain"), "model=huge-70b", true, decision).call().modelUndetermined())
                .isTrue();
        assertThat(afterBody(post("/v1/completions", "text/plain"), "xxxx", false, decision).call().modelUndetermined())
                .as("a non-JSON body over the cap").isTrue();
        afterBody(post("/v1/completions", "application/json"), "{\"mo", false, decision);
        assertThat(((FilterDecision.Respond) decision[0]).code()).isEqualTo("model-body-too-large");
        afterBody(post("/v1/chat/completions", "text/plain"), "{\"model\":\"small\",\"Model\":\"huge-70b\"}", true, decision);
        assertThat(((FilterDecision.Respond) decision[0]).code()).as("JSON by its look, ambiguous").isEqualTo("ambiguous-model");

        HttpRequest upload = post("/v1/audio/transcriptions", "multipart/form-data; boundary=x");
        ExchangeContext exchange = TestExchanges.exchange(snapshot, downstream, upload, true);
        assertThat(filter.onRequestHeaders(exchange, TestExchanges.head(upload))).as("an upload is not held")
                .isSameAs(FilterDecision.CONTINUE);
        assertThat(exchange.call().modelUndetermined()).isTrue();
    }

    @Test
    void thePathIsNormalizedAndAnAmbiguousOneRefused() {
        HttpRequest request = TestExchanges.get("/admin/x/../..//v1/%6dodels?x=%2F");
        ExchangeContext exchange = TestExchanges.exchange(snapshot, downstream, request, false);
        assertThat(filter.onRequestHeaders(exchange, TestExchanges.head(request))).isSameAs(FilterDecision.CONTINUE);
        assertThat(exchange.path()).isEqualTo("/v1/models");
        HttpRequest ambiguous = TestExchanges.get("/v1/a%2Fb");
        FilterDecision refused = filter.onRequestHeaders(TestExchanges.exchange(snapshot, downstream, ambiguous, false),
                TestExchanges.head(ambiguous));
        assertThat(refused).isInstanceOf(FilterDecision.Respond.class);
        assertThat(((FilterDecision.Respond) refused).code()).isEqualTo("ambiguous-path");
    }

    @Test
    void theConfigNamesItsLimit() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new AiAttributesConfig(0, SecurityEventSink.NONE))
                .hasMessage("maxBodyBytes: 0 (expected: 1..67108864)");
    }

    /** Through a real exchange handler: the body is held, read, and goes on to the model whole. */
    @Test
    void inAPipelineTheHeldBodyReachesTheModelWhole() {
        try (TestPipeline pipeline = new TestPipeline(upstream -> TestExchanges.snapshot(TestExchanges.policy("1", NO_HUGE),
                TestExchanges.chain(TestExchanges.upstream(upstream), filter)), null)) {
            String body = "{\"model\":\"small\"}";
            pipeline.send("POST /v1/chat/completions HTTP/1.1\r\nHost: m\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length() + "\r\n\r\n" + body.substring(0, 5));
            assertThat(pipeline.upstream().outboundMessages()).as("nothing before the whole body is in").isEmpty();
            pipeline.send(body.substring(5));
            List<Object> sent = List.copyOf(pipeline.upstream().outboundMessages());
            int bytes = sent.stream().filter(m -> m instanceof io.netty.handler.codec.http.HttpContent)
                    .mapToInt(m -> ((io.netty.handler.codec.http.HttpContent) m).content().readableBytes()).sum();
            assertThat(bytes).isEqualTo(body.length());
            assertThat(pipeline.forwarded()).isNotNull();
        }
    }
}
