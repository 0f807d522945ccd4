package dev.aimesh.proxy.filter.authz;

import java.net.InetSocketAddress;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.aimesh.core.ai.ModelCall;
import dev.aimesh.core.authz.Authorizer;
import dev.aimesh.core.authz.AuthzDecision;
import dev.aimesh.core.authz.AuthzRequest;
import dev.aimesh.core.http.RequestPath;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.proxy.http.Routing;

/**
 * Authorizes each inbound request against the policies of this proxy's workload, compiled once per
 * snapshot ({@link PolicyCompiler}) and swapped atomically, so a pushed change applies to the next request
 * on every open connection. Decides on the normalized path; a path that cannot be normalized without
 * guessing is refused before any policy is consulted. Denials are logged with the policy that decided.
 */
public final class InboundAuthorization {
    private static final Logger log = LoggerFactory.getLogger(InboundAuthorization.class);
    /** Istio's body for a denied request, which clients and dashboards already recognise. */
    static final String DENIED = "RBAC: access denied";

    private final AtomicReference<Authorizer> authorizer = new AtomicReference<>(Authorizer.allowAll());
    private final int destinationPort;
    private final InstantSource clock;

    /** @param destinationPort the model server's port, which {@code ports} and {@code destination.port} name */
    public InboundAuthorization(int destinationPort, InstantSource clock) {
        this.destinationPort = destinationPort;
        this.clock = clock;
    }

    public void use(Authorizer next) {
        authorizer.set(next);
    }

    /** Empty when the request may go on; otherwise the refusal to send. */
    public Optional<Routing.Refuse> check(Channel downstream, SpiffeId peer, String sni, HttpRequest request) {
        String path;
        switch (RequestPath.normalize(request.uri())) {
            case RequestPath.Result.Refused refused -> {
                log.warn("refused {} {} from {}: {}", request.method(), request.uri(), peer, refused.reason());
                return Optional.of(new Routing.Refuse(HttpResponseStatus.BAD_REQUEST, "ambiguous-path", refused.reason()));
            }
            case RequestPath.Result.Normalized normalized -> path = normalized.path();
        }
        Authorizer current = authorizer.get();
        if (current.isEmpty()) {
            return Optional.empty();
        }
        String method = request.method().name();
        String host = request.headers().get(HttpHeaderNames.HOST, "");
        AuthzRequest attributes = AuthzRequest.builder(method, path)
                .peer(Optional.of(peer))
                .sourceIp(address(downstream.remoteAddress()))
                .destinationIp(address(downstream.localAddress()))
                .destinationPort(destinationPort)
                .sni(sni)
                .host(host)
                .headers(name -> request.headers().get(name))
                .model(ModelCall.of(method, path))
                .time(clock.instant())
                .build();
        AuthzDecision decision = current.decide(attributes);
        decision.dryRun().filter(d -> d.allowed() != decision.allowed()).ifPresent(d -> log.info(
                "dry-run: {} {} from {} would be {}: {}", method, path, peer, d.verdict(), d.reason()));
        if (!decision.audited().isEmpty()) {
            log.info("audit: {} {} from {} ({}): {}", method, path, peer, String.join(", ", decision.audited()),
                    decision.reason());
        }
        if (decision.allowed()) {
            return Optional.empty();
        }
        log.warn("denied {} {} from {}: {}", method, path, peer, decision.reason());
        return Optional.of(new Routing.Refuse(HttpResponseStatus.FORBIDDEN, "rbac-denied", DENIED));
    }

    private static byte[] address(java.net.SocketAddress address) {
        return address instanceof InetSocketAddress inet && inet.getAddress() != null ? inet.getAddress().getAddress() : null;
    }
}
