package dev.aimesh.proxy.filter.authz;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import dev.aimesh.core.authz.Authorizer;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.resource.ConfigLoader;
import dev.aimesh.core.resource.MeshConfig;
import dev.aimesh.core.resource.Workload;
import dev.aimesh.proxy.filter.common.SecurityEventSink;
import dev.aimesh.proxy.http.Routing;

/** Where a request goes when a policy reads request.model: the body is read on every route, and not knowing fails closed. */
class InboundAuthorizationTest {
    private static final Routing.Forward ALLOWED = new Routing.Forward(null, null);
    private final EmbeddedChannel downstream = new EmbeddedChannel();
    private final InboundAuthorization authorization = new InboundAuthorization(8000, InstantSource.system(), SecurityEventSink.NONE);

    InboundAuthorizationTest() {
        var loaded = ConfigLoader.load(List.of(new ConfigLoader.SourceFile("p.yaml", """
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: no-huge, namespace: models}
                spec:
                  action: DENY
                  rules: [{when: [{key: request.model, values: ["huge-*"]}]}]
                """)));
        assertThat(loaded.diagnostics()).isEmpty();
        authorization.use(Authorizer.forWorkload(MeshConfig.assemble(loaded.resources()).config(), "models", "llm", Map.of()));
    }

    @AfterEach
    void close() {
        downstream.finishAndReleaseAll();
    }

    private Routing route(HttpRequest request) {
        return authorization.route(downstream, Optional.of(SpiffeId.parse("spiffe://cluster.local/ns/apps/sa/app")), "", request,
                Optional.empty(), () -> ALLOWED);
    }

    private static HttpRequest post(String path, String contentType, String body) {
        var request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        request.headers().set("content-type", contentType).setInt("content-length", body.length());
        return request;
    }

    /** The decision after the body is read, for a request whose body had to be. */
    private Routing afterBody(HttpRequest request, String body) {
        Routing first = route(request);
        assertThat(first).as("the body is read for its model").isInstanceOf(Routing.Inspect.class);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return ((Routing.Inspect) first).decision().decide(bytes, bytes.length, true);
    }

    private static String code(Routing routing) {
        return routing instanceof Routing.Refuse refuse ? refuse.code() : "forward";
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/chat/completions", "/v1/chat/completions/", "/v1/chat/completions;x", "/V1/CHAT/COMPLETIONS",
            "/v1/responses", "/anything"})
    void theBodyIsReadForItsModelOnEveryRoute(String path) {
        String huge = "{\"model\":\"huge-70b\"}";
        assertThat(code(afterBody(post(path, "application/json", huge), huge))).isEqualTo("rbac-denied");
        String small = "{\"model\":\"small\"}";
        assertThat(afterBody(post(path, "application/json", small), small)).isSameAs(ALLOWED);
    }

    @Test
    void aModelThatCannotBeDeterminedMatchesTheDeny() {
        String form = "model=huge-70b";
        assertThat(code(afterBody(post("/v1/completions", "text/plain", form), form))).isEqualTo("rbac-denied");
        assertThat(code(route(post("/v1/audio/transcriptions", "multipart/form-data; boundary=x", "--x--"))))
                .as("an upload is not read").isEqualTo("rbac-denied");
        Routing large = route(post("/v1/completions", "text/plain", "x"));
        assertThat(code(((Routing.Inspect) large).decision().decide(new byte[10], 10, false))).isEqualTo("rbac-denied");
        assertThat(code(((Routing.Inspect) route(post("/v1/completions", "application/json", "x"))).decision()
                .decide(new byte[10], 10, false))).isEqualTo("model-body-too-large");
    }

    @Test
    void ambiguousJsonIsRefusedAndABodilessRequestNeedsNoModel() {
        String cased = "{\"model\":\"small\",\"Model\":\"huge-70b\"}";
        assertThat(code(afterBody(post("/v1/chat/completions", "application/json", cased), cased))).isEqualTo("ambiguous-model");
        assertThat(code(afterBody(post("/v1/chat/completions", "text/plain", cased), cased))).as("JSON by its look")
                .isEqualTo("ambiguous-model");
        assertThat(route(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/v1/models"))).isSameAs(ALLOWED);
        assertThat(route(post("/v2/models/small/infer", "application/json", "{}"))).as("the path names the model")
                .isSameAs(ALLOWED);
        assertThat(code(route(post("/v1/models/huge-70b:predict", "application/json", "{}")))).isEqualTo("rbac-denied");
    }

    @Test
    void theModelIsSentTheNormalizedPathUnlessTheWorkloadAsksForTheRawOne() {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/admin/x/../..//v1/%6dodels?x=%2F");
        route(request);
        assertThat(request.uri()).isEqualTo("/v1/models?x=%2F");
        authorization.use(Authorizer.allowAll(), Workload.ForwardedPath.RAW);
        HttpRequest raw = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/admin/x/../../v1/models");
        route(raw);
        assertThat(raw.uri()).isEqualTo("/admin/x/../../v1/models");
    }
}
