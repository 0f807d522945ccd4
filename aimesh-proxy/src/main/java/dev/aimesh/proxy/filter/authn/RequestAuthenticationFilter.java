package dev.aimesh.proxy.filter.authn;

import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.aimesh.core.audit.SecurityEvent;
import dev.aimesh.proxy.filter.ExchangeContext;
import dev.aimesh.proxy.filter.FilterDecision;
import dev.aimesh.proxy.filter.HttpFilter;
import dev.aimesh.proxy.filter.RequestHead;
import dev.aimesh.proxy.filter.common.ExchangeEvents;

/**
 * End-user authentication with the RequestAuthentications of the exchange's snapshot: a valid token becomes
 * the exchange's {@link ExchangeContext#token()} (and the headers its rules write); a token that fails gets
 * 401 {@code jwt-invalid}, logged and reported; a request without one goes on anonymous, for authorization to
 * decide about. The headers only the proxy may write are removed from every request first.
 */
public final class RequestAuthenticationFilter implements HttpFilter {
    private static final Logger log = LoggerFactory.getLogger(RequestAuthenticationFilter.class);
    private final RequestAuthenticationConfig config;

    public RequestAuthenticationFilter(RequestAuthenticationConfig config) {
        this.config = config;
    }

    @Override
    public String name() {
        return "jwt";
    }

    @Override
    public FilterDecision onRequestHeaders(ExchangeContext exchange, RequestHead head) {
        return switch (exchange.snapshot().authenticator().authenticate(head)) {
            case RequestAuthenticator.Result.Anonymous a -> FilterDecision.CONTINUE;
            case RequestAuthenticator.Result.Authenticated a -> {
                exchange.token(Optional.of(a.token()));
                yield FilterDecision.CONTINUE;
            }
            case RequestAuthenticator.Result.Refused r -> {
                log.warn("refused {} {} from {}: the JWT is not valid: {}", exchange.method(), exchange.target(),
                        ExchangeEvents.who(exchange), r.reason());
                ExchangeEvents.report(config.events(), SecurityEvent.Type.JWT_REFUSED, exchange,
                        Map.of(SecurityEvent.Field.REASON, r.reason()));
                yield new FilterDecision.Respond(401, "jwt-invalid", "Jwt verification fails: " + r.reason());
            }
        };
    }
}
