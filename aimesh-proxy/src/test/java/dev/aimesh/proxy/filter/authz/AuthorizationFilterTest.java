package dev.aimesh.proxy.filter.authz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.audit.SecurityEvent;
import dev.aimesh.core.authz.Authorizer;
import dev.aimesh.core.ai.ModelCall;
import dev.aimesh.core.resource.ConfigLoader;
import dev.aimesh.core.resource.MeshConfig;
import dev.aimesh.core.resource.Workload;
import dev.aimesh.proxy.filter.ExchangeContext;
import dev.aimesh.proxy.filter.FilterChain;
import dev.aimesh.proxy.filter.FilterDecision;
import dev.aimesh.proxy.filter.TestExchanges;
import dev.aimesh.proxy.filter.TestPipeline;
import dev.aimesh.proxy.filter.common.SecurityEventSink;
import dev.aimesh.proxy.snapshot.ProxySnapshot;

/** Decisions on the attributes the filters before established, with the snapshot's version in the event. */
class AuthorizationFilterTest {
    private static final Authorizer NO_HUGE;

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

    private final List<Map<SecurityEvent.Field, String>> events = new ArrayList<>();
    private final AuthorizationFilter filter = new AuthorizationFilter(new AuthorizationConfig(8000, InstantSource.system(),
            (type, fields) -> events.add(fields)));
    private final EmbeddedChannel downstream = new EmbeddedChannel();

    @AfterEach
    void close() {
        downstream.finishAndReleaseAll();
    }

    private FilterDecision decide(ProxySnapshot.Policy policy, HttpRequest request, String path, ModelCall call) {
        ProxySnapshot snapshot = TestExchanges.snapshot(policy, new FilterChain(List.of(filter),
                (x, h) -> new FilterDecision.Respond(500, "unused", "unused"), SecurityEventSink.NONE));
        ExchangeContext exchange = TestExchanges.exchange(snapshot, downstream, request, false);
        exchange.path(path);
        exchange.call(call);
        return filter.onRequestHeaders(exchange, TestExchanges.head(request));
    }

    @Test
    void aDeniedModelGetsIstiosAnswerAndAnEventWithTheVersion() {
        FilterDecision decision = decide(TestExchanges.policy("v3", NO_HUGE), TestExchanges.get("/v1/models/huge-70b:predict"),
                "/v1/models/huge-70b:predict", ModelCall.of("GET", "/v1/models/huge-70b:predict"));
        assertThat(decision).isEqualTo(new FilterDecision.Respond(403, "rbac-denied", "RBAC: access denied"));
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.get(SecurityEvent.Field.CONFIG_VERSION)).isEqualTo("v3");
            assertThat(e.get(SecurityEvent.Field.POLICY)).isEqualTo("models/no-huge");
        });
    }

    @Test
    void anUndeterminedModelFailsClosedOnARuleThatReadsIt() {
        FilterDecision decision = decide(TestExchanges.policy("v3", NO_HUGE), TestExchanges.get("/v1/completions"),
                "/v1/completions", ModelCall.of("POST", "/v1/completions").undetermined());
        assertThat(((FilterDecision.Respond) decision).code()).isEqualTo("rbac-denied");
    }

    @Test
    void anAllowedRequestIsSentTheNormalizedPathUnlessTheWorkloadAsksForTheRawOne() {
        HttpRequest request = TestExchanges.get("/admin/x/../..//v1/%6dodels?x=%2F");
        assertThat(decide(TestExchanges.policy("v3", NO_HUGE), request, "/v1/models", ModelCall.NONE))
                .isSameAs(FilterDecision.CONTINUE);
        assertThat(request.uri()).isEqualTo("/v1/models?x=%2F");
        ProxySnapshot.Policy raw = TestExchanges.policy("v4", Authorizer.allowAll());
        raw = new ProxySnapshot.Policy(raw.version(), raw.authorizer(), raw.authenticator(), raw.mtls(), raw.network(),
                raw.registry(), Workload.ForwardedPath.RAW);
        HttpRequest kept = TestExchanges.get("/admin/x/../../v1/models");
        decide(raw, kept, "/v1/models", ModelCall.NONE);
        assertThat(kept.uri()).isEqualTo("/admin/x/../../v1/models");
    }

    @Test
    void theConfigNamesItsLimit() {
        assertThatThrownBy(() -> new AuthorizationConfig(70000, InstantSource.system(), SecurityEventSink.NONE))
                .hasMessage("destinationPort: 70000 (expected: 0..65535)");
    }

    /** Through a real exchange handler, with the attributes filter before it as the inbound chain has it. */
    @Test
    void inAPipelineADeniedBodyModelNeverReachesTheModel() {
        var attributes = new dev.aimesh.proxy.filter.ai.AiAttributesFilter(
                dev.aimesh.proxy.filter.ai.AiAttributesConfig.defaults(SecurityEventSink.NONE));
        try (TestPipeline pipeline = new TestPipeline(upstream -> TestExchanges.snapshot(TestExchanges.policy("v5", NO_HUGE),
                TestExchanges.chain(TestExchanges.upstream(upstream), attributes, filter)), null)) {
            String body = "{\"model\":\"huge-70b\"}";
            pipeline.send("POST /v1/chat/completions HTTP/1.1\r\nHost: m\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length() + "\r\n\r\n" + body);
            assertThat(pipeline.answered()).startsWith("HTTP/1.1 403").contains("x-aimesh-reason: rbac-denied");
            assertThat(pipeline.forwarded()).isNull();
        }
    }
}
