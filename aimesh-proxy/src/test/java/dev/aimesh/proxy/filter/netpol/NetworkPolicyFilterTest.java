package dev.aimesh.proxy.filter.netpol;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
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
import dev.aimesh.proxy.filter.PeerIdentity;
import dev.aimesh.proxy.filter.TestExchanges;
import dev.aimesh.proxy.filter.TestPipeline;
import dev.aimesh.proxy.snapshot.NetworkView;
import dev.aimesh.proxy.snapshot.ProxySnapshot;
import dev.aimesh.proxy.snapshot.RegistryIndex;
import dev.aimesh.proxy.snapshot.SnapshotHolder;

/**
 * Ingress NetworkPolicy: checked at accept under the snapshot then current, and again on a connection's first
 * request under a newer snapshot.
 */
class NetworkPolicyFilterTest {
    private static final SpiffeId WEB = SpiffeId.parse("spiffe://cluster.local/ns/web/sa/site");
    private static final String ONLY_APPS = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: only-apps, namespace: models}
            spec:
              podSelector: {}
              policyTypes: [Ingress]
              ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: apps}}}]}]
            """;

    private final List<SecurityEvent.Type> events = new ArrayList<>();
    private final NetworkPolicyFilter filter = new NetworkPolicyFilter(new NetworkPolicyConfig((type, fields) -> events.add(type)));
    private final EmbeddedChannel downstream = new EmbeddedChannel();

    @AfterEach
    void close() {
        downstream.finishAndReleaseAll();
    }

    /** A snapshot whose registry knows the caller {@code web/site}, with or without a policy that keeps it out. */
    static ProxySnapshot.Policy policy(String version, boolean onlyApps) {
        var loaded = ConfigLoader.load(onlyApps ? List.of(new ConfigLoader.SourceFile("np.yaml", ONLY_APPS)) : List.of());
        MeshConfig config = MeshConfig.assemble(loaded.resources()).config();
        ConfigSnapshot registry = new ConfigSnapshot(version, List.of(
                new WorkloadEntry("web", "site", WEB, Map.of(), List.of()),
                new WorkloadEntry("models", "llm", SpiffeId.parse("spiffe://cluster.local/ns/models/sa/llm"), Map.of(), List.of())));
        ProxySnapshot.Policy base = TestExchanges.policy(version, Authorizer.allowAll());
        return new ProxySnapshot.Policy(version, base.authorizer(), base.authenticator(), base.mtls(),
                NetworkView.of(config, "models", Map.of(), 8000), RegistryIndex.of(registry), base.forwardedPath());
    }

    private FilterDecision request(ProxySnapshot.Policy policy) {
        var snapshot = TestExchanges.snapshot(policy, TestExchanges.chain(TestExchanges.upstream(new EmbeddedChannel()), filter));
        var request = TestExchanges.get("/x");
        return filter.onRequestHeaders(TestExchanges.exchange(snapshot, downstream, request, false), TestExchanges.head(request));
    }

    @Test
    void aConnectionAdmittedUnderAnOlderSnapshotIsCheckedAgainUnderTheNewOne() {
        downstream.attr(PeerIdentity.KEY).set(new PeerIdentity(WEB, "By=x"));
        SnapshotHolder holder = new SnapshotHolder(TestExchanges.snapshot(policy("v1", false),
                TestExchanges.chain(TestExchanges.upstream(new EmbeddedChannel()))));
        assertThat(new ConnectionAdmission(holder).refuseIngress(WEB, new InetSocketAddress("127.0.0.1", 1), downstream)).isEmpty();
        assertThat(downstream.attr(ConnectionAdmission.ADMITTED).get()).isEqualTo("v1");

        assertThat(request(policy("v1", false))).as("checked at accept under this version").isSameAs(FilterDecision.CONTINUE);
        FilterDecision refused = request(policy("v2", true));
        assertThat(((FilterDecision.Respond) refused).code()).isEqualTo("netpol-denied");
        assertThat(events).containsExactly(SecurityEvent.Type.NETPOL_INGRESS_DENIED);
        assertThat(downstream.attr(ConnectionAdmission.ADMITTED).get()).isEqualTo("v1");
        assertThat(request(policy("v3", false))).isSameAs(FilterDecision.CONTINUE);
        assertThat(downstream.attr(ConnectionAdmission.ADMITTED).get()).as("checked once per version").isEqualTo("v3");
    }

    @Test
    void atAcceptTheCurrentSnapshotDecides() {
        SnapshotHolder holder = new SnapshotHolder(TestExchanges.snapshot(policy("v2", true),
                TestExchanges.chain(TestExchanges.upstream(new EmbeddedChannel()))));
        assertThat(new ConnectionAdmission(holder).refuseIngress(WEB, new InetSocketAddress("127.0.0.1", 1), downstream))
                .hasValueSatisfying(reason -> assertThat(reason).startsWith("NetworkPolicy: "));
        assertThat(new ConnectionAdmission(holder).refusePlaintext(new InetSocketAddress("127.0.0.1", 1), downstream))
                .hasValueSatisfying(r -> assertThat(r.type()).isEqualTo(SecurityEvent.Type.PEER_AUTHN_REFUSED));
    }

    @Test
    void inAPipelineARequestOnAConnectionThePolicyNoLongerAdmitsGets403() {
        try (TestPipeline pipeline = new TestPipeline(upstream -> TestExchanges.snapshot(policy("v2", true),
                TestExchanges.chain(TestExchanges.upstream(upstream), filter)), new PeerIdentity(WEB, "By=x"))) {
            pipeline.send("GET / HTTP/1.1\r\nHost: m\r\n\r\n");
            assertThat(pipeline.answered()).startsWith("HTTP/1.1 403").contains("x-aimesh-reason: netpol-denied");
            assertThat(pipeline.forwarded()).isNull();
        }
    }
}
