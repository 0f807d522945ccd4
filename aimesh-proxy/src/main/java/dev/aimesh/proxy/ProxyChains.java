package dev.aimesh.proxy;

import java.util.List;
import java.util.Optional;
import dev.aimesh.proxy.filter.FilterChain;
import dev.aimesh.proxy.filter.FilterDecision;
import dev.aimesh.proxy.filter.common.SecurityEventSink;
import dev.aimesh.proxy.inbound.InboundChain;
import dev.aimesh.proxy.outbound.OutboundChain;
import dev.aimesh.proxy.snapshot.ProxySnapshot;

/** The chains of a proxy's two sides, assembled per snapshot; a side the proxy does not serve answers 503. */
final class ProxyChains implements ProxySnapshot.ChainAssembly {
    private static final FilterChain UNSERVED = new FilterChain(List.of(),
            (exchange, head) -> new FilterDecision.Respond(503, "no-listener", "this proxy does not serve this side"),
            SecurityEventSink.NONE);

    private final Optional<InboundChain> inbound;
    private final Optional<OutboundChain> outbound;

    ProxyChains(Optional<InboundChain> inbound, Optional<OutboundChain> outbound) {
        this.inbound = inbound;
        this.outbound = outbound;
    }

    @Override
    public FilterChain inbound(ProxySnapshot.Policy policy) {
        return inbound.map(c -> c.assemble(policy)).orElse(UNSERVED);
    }

    @Override
    public FilterChain outbound(ProxySnapshot.Policy policy) {
        return outbound.map(c -> c.assemble(policy)).orElse(UNSERVED);
    }
}
