package dev.aimesh.proxy.filter.netpol;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import io.netty.util.Attribute;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.aimesh.core.audit.SecurityEvent;
import dev.aimesh.proxy.filter.ExchangeContext;
import dev.aimesh.proxy.filter.FilterDecision;
import dev.aimesh.proxy.filter.HttpFilter;
import dev.aimesh.proxy.filter.PeerIdentity;
import dev.aimesh.proxy.filter.RequestHead;
import dev.aimesh.proxy.filter.common.ExchangeEvents;

/**
 * Ingress NetworkPolicy for requests on connections admitted under an older snapshot: the listener checks a
 * connection once, at accept ({@link ConnectionAdmission}); when a pushed snapshot changes the policy, the
 * connection's first request under it is checked again, and refused with 403 {@code netpol-denied} if the new
 * policy would not have let the connection in. A connection already checked under the exchange's version
 * costs one attribute read.
 */
public final class NetworkPolicyFilter implements HttpFilter {
    private static final Logger log = LoggerFactory.getLogger(NetworkPolicyFilter.class);
    private final NetworkPolicyConfig config;

    public NetworkPolicyFilter(NetworkPolicyConfig config) {
        this.config = config;
    }

    @Override
    public String name() {
        return "netpol";
    }

    @Override
    public FilterDecision onRequestHeaders(ExchangeContext exchange, RequestHead head) {
        Attribute<String> admitted = PeerIdentity.connection(exchange.downstream()).attr(ConnectionAdmission.ADMITTED);
        String version = exchange.snapshot().version();
        if (version.equals(admitted.get())) {
            return FilterDecision.CONTINUE;
        }
        InetSocketAddress remote = exchange.remoteAddress() instanceof InetSocketAddress inet ? inet : null;
        Optional<String> refused = exchange.snapshot().network().refuseIngress(exchange.peerId(), remote,
                exchange.snapshot().registry());
        if (refused.isPresent()) {
            log.warn("refused {} {} from {} ({}): {}", exchange.method(), exchange.target(), exchange.remoteAddress(),
                    ExchangeEvents.who(exchange), refused.get());
            ExchangeEvents.report(config.events(), SecurityEvent.Type.NETPOL_INGRESS_DENIED, exchange,
                    Map.of(SecurityEvent.Field.REASON, refused.get()));
            return new FilterDecision.Respond(403, "netpol-denied", refused.get());
        }
        admitted.set(version);
        return FilterDecision.CONTINUE;
    }
}
