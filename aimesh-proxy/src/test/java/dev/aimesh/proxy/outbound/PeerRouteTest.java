package dev.aimesh.proxy.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.Future;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.registry.ConfigSnapshot;
import dev.aimesh.core.registry.WorkloadEntry;
import dev.aimesh.proxy.filter.common.SecurityEventSink;
import dev.aimesh.core.authz.Authorizer;
import dev.aimesh.proxy.filter.ChainStep;
import dev.aimesh.proxy.filter.ExchangeContext;
import dev.aimesh.proxy.filter.FilterChain;
import dev.aimesh.proxy.filter.TestExchanges;
import dev.aimesh.proxy.snapshot.ProxySnapshot;
import dev.aimesh.proxy.http.UpstreamConnector;
import dev.aimesh.proxy.http.UpstreamLease;
import dev.aimesh.proxy.net.TrafficCounters;

/** The outbound route's connectors to peer proxies: one per listed peer, and none kept for a peer no longer listed. */
class PeerRouteTest {
    private static final SpiffeId MODEL = SpiffeId.parse("spiffe://it.example/ns/models/sa/llm");
    private static final SpiffeId OTHER = SpiffeId.parse("spiffe://it.example/ns/other/sa/x");

    /** A connector that only records what the route did with it. */
    private static final class Recorded implements UpstreamConnector {
        final InetSocketAddress address;
        final SpiffeId identity;
        boolean retired;

        Recorded(InetSocketAddress address, SpiffeId identity) {
            this.address = address;
            this.identity = identity;
        }

        @Override
        public Future<UpstreamLease> acquire(EventLoop loop) {
            throw new UnsupportedOperationException("not called by the route");
        }

        @Override
        public String describe() {
            return identity + " at " + address;
        }

        @Override
        public TrafficCounters counters() {
            return new TrafficCounters();
        }

        @Override
        public void retire() {
            retired = true;
        }
    }

    private final AtomicReference<ConfigSnapshot> registry = new AtomicReference<>();
    private final List<Recorded> made = new ArrayList<>();
    private final PeerRoute router = new PeerRoute((address, identity) -> {
        Recorded connector = new Recorded(address, identity);
        made.add(connector);
        return connector;
    });

    private static ConfigSnapshot snapshot(String version, SpiffeId identity, String... endpoints) {
        return new ConfigSnapshot(version, List.of(new WorkloadEntry("models", "model", identity, Map.of(), List.of(endpoints))));
    }

    private Recorded route() {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/v1/models");
        request.headers().set(HttpHeaderNames.HOST, "model.models");
        EmbeddedChannel downstream = new EmbeddedChannel();
        try {
            ProxySnapshot snapshot = TestExchanges.snapshot(TestExchanges.policy("1", Authorizer.allowAll()),
                    new FilterChain(List.of(), router, SecurityEventSink.NONE));
            ExchangeContext exchange = TestExchanges.exchange(snapshot, downstream, request, false);
            exchange.destination(registry.get().workloads().get(0));
            exchange.authority("model.models"); // as the destination filter sets it
            ChainStep step = router.pick(exchange, TestExchanges.head(request));
            assertThat(step).isInstanceOf(ChainStep.Forward.class);
            return (Recorded) ((ChainStep.Forward) step).upstream();
        } finally {
            downstream.finishAndReleaseAll();
        }
    }

    @Test
    void aPeerGetsOneConnectorWhileTheRegistryListsIt() {
        registry.set(snapshot("1", MODEL, "127.0.0.1:7001"));
        Recorded first = route();

        ConfigSnapshot next = snapshot("2", MODEL, "127.0.0.1:7001");
        registry.set(next);
        assertThat(router.retainListed(next)).isEmpty();

        assertThat(route()).isSameAs(first);
        assertThat(made).hasSize(1);
        assertThat(first.retired).isFalse();
    }

    @Test
    void theConnectorOfAnEndpointGoneFromTheRegistryIsRetiredAndANewEndpointGetsItsOwn() {
        registry.set(snapshot("1", MODEL, "127.0.0.1:7001"));
        Recorded gone = route();

        ConfigSnapshot moved = snapshot("2", MODEL, "127.0.0.1:7002");
        registry.set(moved);
        List<UpstreamConnector> retired = router.retainListed(moved);

        assertThat(retired).containsExactly(gone);
        assertThat(gone.retired).isTrue();
        Recorded now = route();
        assertThat(now).isNotSameAs(gone);
        assertThat(now.address.getPort()).isEqualTo(7002);
        assertThat(router.retainListed(moved)).as("a second look retires nothing more").isEmpty();
    }

    @Test
    void anEndpointThatNowServesAnotherIdentityIsAnotherPeer() {
        registry.set(snapshot("1", MODEL, "127.0.0.1:7001"));
        Recorded before = route();

        ConfigSnapshot reassigned = snapshot("2", OTHER, "127.0.0.1:7001");
        registry.set(reassigned);

        assertThat(router.retainListed(reassigned)).containsExactly(before);
        assertThat(route().identity).isEqualTo(OTHER);
    }
}
