package dev.aimesh.proxy.inbound;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import dev.aimesh.proxy.filter.authn.InboundAuthentication;
import dev.aimesh.proxy.filter.authz.InboundAuthorization;
import dev.aimesh.proxy.http.ForwardedClientCert;
import dev.aimesh.proxy.http.HopByHop;
import dev.aimesh.proxy.http.RequestRouter;
import dev.aimesh.proxy.http.Routing;
import dev.aimesh.proxy.http.UpstreamConnector;

/**
 * Inbound: every request whose end-user token (if any) is valid and that the workload's policies allow
 * goes to the local model server, with
 * {@code x-forwarded-client-cert} set from the verified peer. Whatever the client sent in that header is
 * dropped first, so it cannot be spoofed.
 */
public final class InboundRouter implements RequestRouter {
    private final UpstreamConnector model;
    private final InboundAuthentication authentication;
    private final InboundAuthorization authorization;

    public InboundRouter(UpstreamConnector model, InboundAuthentication authentication, InboundAuthorization authorization) {
        this.model = model;
        this.authentication = authentication;
        this.authorization = authorization;
    }

    @Override
    public Routing route(Channel downstream, HttpRequest request) {
        PeerIdentity peer = PeerIdentity.of(downstream);
        if (peer == null) {
            return new Routing.Refuse(HttpResponseStatus.FORBIDDEN, "no-peer-identity", "the connection has no verified peer");
        }
        InboundAuthentication.Outcome authenticated = authentication.authenticate(peer.id(), request);
        if (authenticated.refused().isPresent()) {
            return authenticated.refused().get();
        }
        return authorization.route(downstream, peer.id(), peer.sni(), request, authenticated.token(), () -> {
            HopByHop.strip(request.headers());
            request.headers().set(ForwardedClientCert.HEADER, peer.forwardedClientCert()); // replaces any the client sent
            return new Routing.Forward(model, request);
        });
    }
}
