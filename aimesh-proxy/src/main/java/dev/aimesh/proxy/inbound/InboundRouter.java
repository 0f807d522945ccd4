package dev.aimesh.proxy.inbound;

import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import dev.aimesh.core.audit.SecurityEvent;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.proxy.filter.authn.InboundAuthentication;
import dev.aimesh.proxy.filter.common.SecurityEventSink;
import dev.aimesh.proxy.filter.netpol.ConnectionAdmission;
import dev.aimesh.proxy.filter.authz.InboundAuthorization;
import dev.aimesh.proxy.http.ForwardedClientCert;
import dev.aimesh.proxy.http.HopByHop;
import dev.aimesh.proxy.http.RequestRouter;
import dev.aimesh.proxy.http.Routing;
import dev.aimesh.proxy.http.UpstreamConnector;

/**
 * Inbound: every request whose end-user token (if any) is valid and that the workload's policies allow
 * goes to the local model server, with
 * {@code x-forwarded-client-cert} set from the verified peer. Whatever the client sent in that header, or in
 * the headers end-user authentication writes, is dropped first, in the headers and in the trailers, so it
 * cannot be spoofed.
 */
public final class InboundRouter implements RequestRouter {
    private final UpstreamConnector model;
    private final ConnectionAdmission admission;
    private final InboundAuthentication authentication;
    private final InboundAuthorization authorization;
    private final SecurityEventSink events;

    public InboundRouter(UpstreamConnector model, ConnectionAdmission admission, InboundAuthentication authentication,
            InboundAuthorization authorization, SecurityEventSink events) {
        this.model = model;
        this.admission = admission;
        this.authentication = authentication;
        this.authorization = authorization;
        this.events = events;
    }

    /** A router with no policy yet (mTLS required, nothing else checked), as benchmarks use it. */
    public static InboundRouter withoutPolicies(UpstreamConnector model, int modelPort) {
        return new InboundRouter(model, new ConnectionAdmission("", "", modelPort),
                new InboundAuthentication(SecurityEventSink.NONE),
                new InboundAuthorization(modelPort, java.time.InstantSource.system(), SecurityEventSink.NONE),
                SecurityEventSink.NONE);
    }

    @Override
    public Routing route(Channel downstream, HttpRequest request) {
        PeerIdentity peer = PeerIdentity.of(downstream);
        if (peer == null && !admission.plaintextAllowed()) { // a plain-text connection, and the mode became STRICT
            String reason = "mTLS is required (" + admission.mtls().reason() + ")";
            events.report(SecurityEvent.Type.PEER_AUTHN_REFUSED, Map.of(
                    SecurityEvent.Field.METHOD, request.method().name(), SecurityEvent.Field.PATH, request.uri(),
                    SecurityEvent.Field.CALLER, SecurityEventSink.caller(Optional.empty(), downstream.remoteAddress()),
                    SecurityEvent.Field.REASON, reason));
            return new Routing.Refuse(HttpResponseStatus.FORBIDDEN, "mtls-required", reason);
        }
        Optional<SpiffeId> id = peer == null ? Optional.empty() : Optional.of(peer.id());
        InboundAuthentication.Outcome authenticated = authentication.authenticate(downstream, id, request);
        if (authenticated.refused().isPresent()) {
            return authenticated.refused().get();
        }
        return authorization.route(downstream, id, peer == null ? "" : peer.sni(), request, authenticated.token(), () -> {
            HopByHop.strip(request.headers());
            if (peer != null) {
                request.headers().set(ForwardedClientCert.HEADER, peer.forwardedClientCert()); // replaces any the client sent
            } else {
                request.headers().remove(ForwardedClientCert.HEADER); // a plain-text caller vouches for nobody
            }
            return new Routing.Forward(model, request, trailers -> {
                trailers.remove(ForwardedClientCert.HEADER); // identity travels in headers only, and only as the proxy wrote it
                authenticated.identityHeaders().forEach(trailers::remove);
            });
        });
    }
}
