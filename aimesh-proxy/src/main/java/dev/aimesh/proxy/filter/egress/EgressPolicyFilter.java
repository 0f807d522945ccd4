package dev.aimesh.proxy.filter.egress;

import java.util.Map;
import java.util.Optional;
import dev.aimesh.core.audit.SecurityEvent;
import dev.aimesh.core.registry.WorkloadEntry;
import dev.aimesh.proxy.filter.ExchangeContext;
import dev.aimesh.proxy.filter.FilterDecision;
import dev.aimesh.proxy.filter.HttpFilter;
import dev.aimesh.proxy.filter.RequestHead;
import dev.aimesh.proxy.filter.common.SecurityEventSink;

/**
 * Outbound: keeps the caller in its lane. A call to a workload its egress NetworkPolicy (in the exchange's
 * snapshot) forbids gets 403 {@code egress-denied} and is reported. Reads the destination the filter before it
 * resolved.
 */
public final class EgressPolicyFilter implements HttpFilter {
    private final EgressPolicyConfig config;

    public EgressPolicyFilter(EgressPolicyConfig config) {
        this.config = config;
    }

    @Override
    public String name() {
        return "egress";
    }

    @Override
    public FilterDecision onRequestHeaders(ExchangeContext exchange, RequestHead head) {
        WorkloadEntry target = exchange.destination();
        if (target == null) {
            throw new IllegalStateException("no destination: the destination filter must come before egress");
        }
        Optional<String> denied = exchange.snapshot().network().refuseEgress(target);
        if (denied.isEmpty()) {
            return FilterDecision.CONTINUE;
        }
        config.events().report(SecurityEvent.Type.NETPOL_EGRESS_DENIED, Map.of(
                SecurityEvent.Field.METHOD, exchange.method(), SecurityEvent.Field.PATH, head.path(),
                SecurityEvent.Field.CALLER, SecurityEventSink.caller(Optional.empty(), exchange.remoteAddress()),
                SecurityEvent.Field.DESTINATION, target.ref(), SecurityEvent.Field.REASON, denied.get(),
                SecurityEvent.Field.CONFIG_VERSION, exchange.snapshot().version()));
        return new FilterDecision.Respond(403, "egress-denied", "this workload may not call " + target.ref() + ": "
                + denied.get());
    }
}
