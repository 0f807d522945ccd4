package dev.aimesh.proxy.filter.destination;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.authz.Authorizer;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.registry.ConfigSnapshot;
import dev.aimesh.core.registry.WorkloadEntry;
import dev.aimesh.proxy.filter.ExchangeContext;
import dev.aimesh.proxy.filter.FilterDecision;
import dev.aimesh.proxy.filter.TestExchanges;
import dev.aimesh.proxy.filter.TestPipeline;
import dev.aimesh.proxy.snapshot.ProxySnapshot;
import dev.aimesh.proxy.snapshot.RegistryIndex;

/** Which workload an outbound call is for, by the names Kubernetes DNS would give it. */
class DestinationFilterTest {
    private static final WorkloadEntry LLM = new WorkloadEntry("models", "llm",
            SpiffeId.parse("spiffe://cluster.local/ns/models/sa/llm"), Map.of(), List.of("127.0.0.1:1"));
    private final DestinationFilter filter = new DestinationFilter(DestinationConfig.DEFAULTS);
    private final EmbeddedChannel downstream = new EmbeddedChannel();

    @AfterEach
    void close() {
        downstream.finishAndReleaseAll();
    }

    private static ProxySnapshot.Policy policy(RegistryIndex registry) {
        ProxySnapshot.Policy base = TestExchanges.policy("d1", Authorizer.allowAll());
        return new ProxySnapshot.Policy("d1", base.authorizer(), base.authenticator(), base.mtls(), base.network(), registry,
                base.forwardedPath());
    }

    private ExchangeContext resolve(RegistryIndex registry, String target, String host, FilterDecision[] decision) {
        var snapshot = TestExchanges.snapshot(policy(registry), TestExchanges.chain(TestExchanges.upstream(new EmbeddedChannel()), filter));
        var request = TestExchanges.get(target);
        if (host == null) {
            request.headers().remove("host");
        } else {
            request.headers().set("host", host);
        }
        var exchange = TestExchanges.exchange(snapshot, downstream, request, false);
        decision[0] = filter.onRequestHeaders(exchange, TestExchanges.head(request));
        return exchange;
    }

    private String code(RegistryIndex registry, String target, String host) {
        FilterDecision[] d = new FilterDecision[1];
        resolve(registry, target, host, d);
        return d[0] instanceof FilterDecision.Respond r ? r.code() : "continue";
    }

    @Test
    void everyDnsSpellingFindsTheWorkloadAndTheRestAreAnswered() {
        RegistryIndex registry = RegistryIndex.of(new ConfigSnapshot("d1", List.of(LLM)));
        for (String host : List.of("llm", "llm.models", "LLM.Models:8080", "llm.models.svc", "llm.models.svc.cluster.local",
                "llm.models.svc.other.domain.", "llm.models.")) {
            FilterDecision[] d = new FilterDecision[1];
            assertThat(resolve(registry, "/v1", host, d).destination()).as(host).isEqualTo(LLM);
        }
        assertThat(code(registry, "/v1", "llm.other")).isEqualTo("unknown-destination");
        assertThat(code(registry, "/v1", "llm.models.cluster")).isEqualTo("unknown-destination");
        assertThat(code(registry, "/v1", null)).isEqualTo("no-destination");
        assertThat(code(registry, "ftp://llm.models/x", "llm.models")).isEqualTo("bad-target");
        assertThat(code(RegistryIndex.NONE, "/v1", "llm.models")).isEqualTo("no-config");
    }

    @Test
    void anAbsoluteUriNamesTheDestinationAndBecomesOriginForm() {
        FilterDecision[] d = new FilterDecision[1];
        ExchangeContext exchange = resolve(RegistryIndex.of(new ConfigSnapshot("d1", List.of(LLM))),
                "http://llm.models:9000/v1/models?x=1", "elsewhere", d);
        assertThat(exchange.destination()).isEqualTo(LLM);
        assertThat(exchange.authority()).isEqualTo("llm.models:9000");
    }

    @Test
    void inAPipelineAnUnknownHostGets502() {
        try (TestPipeline pipeline = new TestPipeline(upstream -> TestExchanges.snapshot(policy(RegistryIndex.of(
                new ConfigSnapshot("d1", List.of(LLM)))), TestExchanges.chain(TestExchanges.upstream(upstream), filter)), null)) {
            pipeline.send("GET /v1 HTTP/1.1\r\nHost: nobody.models\r\n\r\n");
            assertThat(pipeline.answered()).startsWith("HTTP/1.1 502").contains("x-aimesh-reason: unknown-destination");
        }
    }
}
