package dev.aimesh.proxy.filter.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.audit.SecurityEvent;
import dev.aimesh.core.authz.Authorizer;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.registry.ConfigSnapshot;
import dev.aimesh.core.registry.WorkloadEntry;
import dev.aimesh.core.resource.ConfigLoader;
import dev.aimesh.core.resource.MeshConfig;
import dev.aimesh.proxy.filter.FilterDecision;
import dev.aimesh.proxy.filter.TestExchanges;
import dev.aimesh.proxy.filter.TestPipeline;
import dev.aimesh.proxy.filter.destination.DestinationConfig;
import dev.aimesh.proxy.filter.destination.DestinationFilter;
import dev.aimesh.proxy.snapshot.NetworkView;
import dev.aimesh.proxy.snapshot.ProxySnapshot;
import dev.aimesh.proxy.snapshot.RegistryIndex;

/** A caller kept in its lane: its egress NetworkPolicy, in the exchange's snapshot, names what it may call. */
class EgressPolicyFilterTest {
    private static final WorkloadEntry LLM = new WorkloadEntry("models", "llm",
            SpiffeId.parse("spiffe://cluster.local/ns/models/sa/llm"), Map.of(), List.of("127.0.0.1:1"));

    private final List<Map<SecurityEvent.Field, String>> events = new ArrayList<>();
    private final EgressPolicyFilter filter = new EgressPolicyFilter(new EgressPolicyConfig((type, fields) -> events.add(fields)));
    private final EmbeddedChannel downstream = new EmbeddedChannel();

    @AfterEach
    void close() {
        downstream.finishAndReleaseAll();
    }

    static ProxySnapshot.Policy policy(boolean denyAll) {
        var loaded = ConfigLoader.load(denyAll ? List.of(new ConfigLoader.SourceFile("np.yaml", """
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: site-egress, namespace: web}
                spec:
                  podSelector: {}
                  policyTypes: [Egress]
                """)) : List.of());
        MeshConfig config = MeshConfig.assemble(loaded.resources()).config();
        ProxySnapshot.Policy base = TestExchanges.policy("e1", Authorizer.allowAll());
        return new ProxySnapshot.Policy("e1", base.authorizer(), base.authenticator(), base.mtls(),
                NetworkView.of(config, "web", Map.of(), 0), RegistryIndex.of(new ConfigSnapshot("e1", List.of(LLM))),
                base.forwardedPath());
    }

    private FilterDecision call(ProxySnapshot.Policy policy) {
        var snapshot = TestExchanges.snapshot(policy, TestExchanges.chain(TestExchanges.upstream(new EmbeddedChannel()), filter));
        var request = TestExchanges.get("/x");
        var exchange = TestExchanges.exchange(snapshot, downstream, request, false);
        exchange.destination(LLM);
        return filter.onRequestHeaders(exchange, TestExchanges.head(request));
    }

    @Test
    void aForbiddenCallIsRefusedAndReportedWithItsDestination() {
        FilterDecision refused = call(policy(true));
        assertThat(((FilterDecision.Respond) refused).code()).isEqualTo("egress-denied");
        assertThat(((FilterDecision.Respond) refused).message()).startsWith("this workload may not call models/llm: NetworkPolicy: ");
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.get(SecurityEvent.Field.DESTINATION)).isEqualTo("models/llm");
            assertThat(e.get(SecurityEvent.Field.CONFIG_VERSION)).isEqualTo("e1");
        });
        assertThat(call(policy(false))).isSameAs(FilterDecision.CONTINUE);
    }

    @Test
    void withoutADestinationItFailsClosed() {
        var snapshot = TestExchanges.snapshot(policy(false), TestExchanges.chain(TestExchanges.upstream(new EmbeddedChannel()), filter));
        var request = TestExchanges.get("/x");
        assertThatThrownBy(() -> filter.onRequestHeaders(TestExchanges.exchange(snapshot, downstream, request, false),
                TestExchanges.head(request))).hasMessageContaining("destination filter must come before");
    }

    @Test
    void inAPipelineAfterTheDestinationFilterTheCallIsRefused() {
        try (TestPipeline pipeline = new TestPipeline(upstream -> TestExchanges.snapshot(policy(true),
                TestExchanges.chain(TestExchanges.upstream(upstream), new DestinationFilter(DestinationConfig.DEFAULTS), filter)),
                null)) {
            pipeline.send("GET http://llm.models/v1/models HTTP/1.1\r\nHost: llm.models\r\n\r\n");
            assertThat(pipeline.answered()).startsWith("HTTP/1.1 403").contains("x-aimesh-reason: egress-denied");
            assertThat(pipeline.forwarded()).isNull();
        }
    }
}
