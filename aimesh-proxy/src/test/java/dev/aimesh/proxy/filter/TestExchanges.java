package dev.aimesh.proxy.filter;

import java.util.List;
import java.util.Optional;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.Future;
import dev.aimesh.core.authz.Authorizer;
import dev.aimesh.core.peerauthn.EffectiveMtls;
import dev.aimesh.core.resource.PeerAuthentication.MtlsMode;
import dev.aimesh.core.resource.Workload;
import dev.aimesh.proxy.filter.authn.RequestAuthenticator;
import dev.aimesh.proxy.filter.common.SecurityEventSink;
import dev.aimesh.proxy.headers.Http1RequestHead;
import dev.aimesh.proxy.http.UpstreamConnector;
import dev.aimesh.proxy.http.UpstreamLease;
import dev.aimesh.proxy.net.TrafficCounters;
import dev.aimesh.proxy.snapshot.NetworkView;
import dev.aimesh.proxy.snapshot.ProxySnapshot;
import dev.aimesh.proxy.snapshot.RegistryIndex;
import dev.aimesh.proxy.snapshot.SnapshotHolder;

/** Snapshots, chains and upstreams for tests of filters and of the exchange handler. */
public final class TestExchanges {
    private TestExchanges() {}

    public static ProxySnapshot.Policy policy(String version, Authorizer authorizer) {
        return new ProxySnapshot.Policy(version, authorizer, RequestAuthenticator.none(),
                new EffectiveMtls(MtlsMode.STRICT, EffectiveMtls.Scope.DEFAULT, Optional.empty()), NetworkView.NONE,
                RegistryIndex.NONE, Workload.ForwardedPath.NORMALIZED);
    }

    public static ProxySnapshot snapshot(ProxySnapshot.Policy policy, FilterChain chain) {
        return new ProxySnapshot(policy, chain, chain);
    }

    /** A holder whose snapshot's inbound (and outbound) chain is {@code chain}, read by inbound exchanges. */
    public static SnapshotHolder.Source source(ProxySnapshot snapshot) {
        return new SnapshotHolder.Source(new SnapshotHolder(snapshot), ProxySnapshot.Side.INBOUND);
    }

    /**
     * An HTTP/1.1 connection's pipeline ({@link dev.aimesh.proxy.http.ServerPipelines#http1}) or an HTTP/2 stream's (its
     * guard and exchange, as the listener gives each stream), whose exchanges run under {@code snapshot}.
     */
    public static EmbeddedChannel downstream(boolean http2, ProxySnapshot snapshot) {
        SnapshotHolder.Source source = source(snapshot);
        if (http2) {
            return new EmbeddedChannel(new dev.aimesh.proxy.http.Http2StreamGuard(),
                    new dev.aimesh.proxy.http.ExchangeHandler(source, dev.aimesh.proxy.http.ProxyLimits.DEFAULTS, true));
        }
        EmbeddedChannel connection = new EmbeddedChannel();
        dev.aimesh.proxy.http.ServerPipelines.http1(connection.pipeline(), source, dev.aimesh.proxy.http.ProxyLimits.DEFAULTS);
        return connection;
    }

    /** A chain of {@code filters} whose route forwards to {@code upstream}. */
    public static FilterChain chain(UpstreamConnector upstream, HttpFilter... filters) {
        ChainStep.Forward forward = new ChainStep.Forward(upstream);
        return new FilterChain(List.of(filters), (exchange, head) -> forward, SecurityEventSink.NONE);
    }

    /** An exchange on {@code downstream} under {@code snapshot}, ready for a filter's hooks. */
    public static ExchangeContext exchange(ProxySnapshot snapshot, Channel downstream, HttpRequest request, boolean hasBody) {
        ExchangeContext exchange = snapshot.inbound().start(snapshot, downstream, request.method().name(), request.uri(), hasBody);
        exchange.current = 0;
        return exchange;
    }

    public static Http1RequestHead head(HttpRequest request) {
        return new Http1RequestHead(request, "https");
    }

    public static HttpRequest get(String target) {
        DefaultHttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, target);
        request.headers().set("host", "model");
        return request;
    }

    /** An upstream that leases {@code channel} at once (an HTTP/1.1 one), never really connected. */
    public static UpstreamConnector upstream(EmbeddedChannel channel) {
        return upstream(channel, false);
    }

    /** An upstream that leases {@code channel} at once, as an HTTP/2 stream ({@code http2}) or an HTTP/1.1 connection. */
    public static UpstreamConnector upstream(EmbeddedChannel channel, boolean http2) {
        UpstreamLease lease = new UpstreamLease() {
            @Override
            public Channel channel() {
                return channel;
            }

            @Override
            public boolean http2() {
                return http2;
            }

            @Override
            public void release(boolean reusable) {}
        };
        return new UpstreamConnector() {
            @Override
            public Future<UpstreamLease> acquire(EventLoop loop) {
                return loop.newSucceededFuture(lease);
            }

            @Override
            public String describe() {
                return "a test upstream";
            }

            @Override
            public TrafficCounters counters() {
                return new TrafficCounters();
            }
        };
    }
}
