package dev.aimesh.proxy.outbound;

import java.util.List;
import dev.aimesh.proxy.filter.FilterChain;
import dev.aimesh.proxy.filter.HttpFilter;
import dev.aimesh.proxy.filter.common.SecurityEventSink;
import dev.aimesh.proxy.filter.destination.DestinationConfig;
import dev.aimesh.proxy.filter.destination.DestinationFilter;
import dev.aimesh.proxy.filter.egress.EgressPolicyConfig;
import dev.aimesh.proxy.filter.egress.EgressPolicyFilter;
import dev.aimesh.proxy.filter.hopbyhop.HopByHopFilter;
import dev.aimesh.proxy.snapshot.ProxySnapshot;

/**
 * The outbound side's chain: the destination (from the absolute URI or Host), egress policy, hop-by-hop
 * headers; its route is the {@link PeerRoute} to one of the inbound proxies serving the destination.
 */
public final class OutboundChain {
    private final List<HttpFilter> filters;
    private final PeerRoute route;
    private final SecurityEventSink events;

    public OutboundChain(PeerRoute route, SecurityEventSink events) {
        this.route = route;
        this.events = events;
        this.filters = List.of(new DestinationFilter(DestinationConfig.DEFAULTS),
                new EgressPolicyFilter(new EgressPolicyConfig(events)), new HopByHopFilter());
    }

    public FilterChain assemble(ProxySnapshot.Policy policy) {
        return new FilterChain(filters, route, events);
    }
}
