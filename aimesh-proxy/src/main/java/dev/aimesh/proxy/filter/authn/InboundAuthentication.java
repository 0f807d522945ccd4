package dev.aimesh.proxy.filter.authn;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.aimesh.core.audit.SecurityEvent;
import dev.aimesh.core.authz.AuthzRequest;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.proxy.filter.common.SecurityEventSink;
import dev.aimesh.proxy.http.Routing;

/**
 * End-user authentication of inbound requests with the workload's current RequestAuthentications, swapped
 * atomically per snapshot like the authorization policies. A refused token is logged and reported to the
 * {@link SecurityEventSink}.
 */
public final class InboundAuthentication {
    private static final Logger log = LoggerFactory.getLogger(InboundAuthentication.class);

    private final AtomicReference<RequestAuthenticator> authenticator = new AtomicReference<>(RequestAuthenticator.none());
    private final SecurityEventSink events;

    public InboundAuthentication(SecurityEventSink events) {
        this.events = events;
    }

    public void use(RequestAuthenticator next) {
        authenticator.set(next);
    }

    /** The verified token (empty: the request carried none), or the 401 for a token that fails. */
    public Outcome authenticate(Channel downstream, Optional<SpiffeId> peer, HttpRequest request) {
        RequestAuthenticator current = authenticator.get();
        Set<String> identityHeaders = current.identityHeaders();
        return switch (current.authenticate(request)) {
            case RequestAuthenticator.Result.Anonymous a -> new Outcome(Optional.empty(), Optional.empty(), identityHeaders);
            case RequestAuthenticator.Result.Authenticated a -> new Outcome(Optional.of(a.token()), Optional.empty(), identityHeaders);
            case RequestAuthenticator.Result.Refused r -> {
                log.warn("refused {} {} from {}: the JWT is not valid: {}", request.method(), request.uri(),
                        peer.map(SpiffeId::toString).orElse("a plain-text caller"), r.reason());
                events.report(SecurityEvent.Type.JWT_REFUSED, Map.of(
                        SecurityEvent.Field.METHOD, request.method().name(), SecurityEvent.Field.PATH, request.uri(),
                        SecurityEvent.Field.CALLER, SecurityEventSink.caller(peer, downstream.remoteAddress()),
                        SecurityEvent.Field.REASON, r.reason()));
                yield new Outcome(Optional.empty(), Optional.of(new Routing.Refuse(HttpResponseStatus.UNAUTHORIZED,
                        "jwt-invalid", "Jwt verification fails: " + r.reason())), identityHeaders);
            }
        };
    }

    /**
     * The token, or the refusal when {@code refused} is set; {@code identityHeaders} are those only the proxy
     * may set (removed from the request already, to be removed from its trailers too).
     */
    public record Outcome(Optional<AuthzRequest.Token> token, Optional<Routing.Refuse> refused, Set<String> identityHeaders) {}
}
