package dev.aimesh.proxy.filter.peerauthn;

import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.aimesh.core.audit.SecurityEvent;
import dev.aimesh.proxy.filter.ExchangeContext;
import dev.aimesh.proxy.filter.FilterDecision;
import dev.aimesh.proxy.filter.HttpFilter;
import dev.aimesh.proxy.filter.RequestHead;
import dev.aimesh.proxy.filter.common.ExchangeEvents;

/**
 * The PeerAuthentication mode, per request: a plain-text connection accepted under PERMISSIVE gets 403
 * {@code mtls-required} for each request once the mode in the exchange's snapshot is STRICT. (At accept, the
 * listener already refused plain text the mode then in force did not allow.)
 */
public final class PeerAuthenticationFilter implements HttpFilter {
    private static final Logger log = LoggerFactory.getLogger(PeerAuthenticationFilter.class);
    private final PeerAuthenticationConfig config;

    public PeerAuthenticationFilter(PeerAuthenticationConfig config) {
        this.config = config;
    }

    @Override
    public String name() {
        return "peer-authn";
    }

    @Override
    public FilterDecision onRequestHeaders(ExchangeContext exchange, RequestHead head) {
        if (exchange.peer() != null || exchange.snapshot().plaintextAllowed()) {
            return FilterDecision.CONTINUE;
        }
        String reason = "mTLS is required (" + exchange.snapshot().mtls().reason() + ")";
        log.warn("refused {} {} from {}: {}", exchange.method(), exchange.target(), exchange.remoteAddress(), reason);
        ExchangeEvents.report(config.events(), SecurityEvent.Type.PEER_AUTHN_REFUSED, exchange,
                Map.of(SecurityEvent.Field.REASON, reason));
        return new FilterDecision.Respond(403, "mtls-required", reason);
    }
}
