package dev.aimesh.proxy.inbound;

import static java.util.Objects.requireNonNull;

import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import dev.aimesh.proxy.filter.ChainStep;
import dev.aimesh.proxy.filter.FilterChain;
import dev.aimesh.proxy.filter.HttpFilter;
import dev.aimesh.proxy.filter.ai.AiAttributesConfig;
import dev.aimesh.proxy.filter.ai.AiAttributesFilter;
import dev.aimesh.proxy.filter.authn.RequestAuthenticationConfig;
import dev.aimesh.proxy.filter.authn.RequestAuthenticationFilter;
import dev.aimesh.proxy.filter.authn.RequestAuthenticator;
import dev.aimesh.proxy.filter.authz.AuthorizationConfig;
import dev.aimesh.proxy.filter.authz.AuthorizationFilter;
import dev.aimesh.proxy.filter.common.SecurityEventSink;
import dev.aimesh.proxy.filter.dlp.DataLossPreventionConfig;
import dev.aimesh.proxy.filter.dlp.DataLossPreventionFilter;
import dev.aimesh.proxy.filter.ratelimit.RateLimitConfig;
import dev.aimesh.proxy.filter.ratelimit.RateLimitFilter;
import dev.aimesh.proxy.filter.hopbyhop.HopByHopFilter;
import dev.aimesh.proxy.filter.netpol.NetworkPolicyConfig;
import dev.aimesh.proxy.filter.netpol.NetworkPolicyFilter;
import dev.aimesh.proxy.filter.peerauthn.PeerAuthenticationConfig;
import dev.aimesh.proxy.filter.peerauthn.PeerAuthenticationFilter;
import dev.aimesh.proxy.filter.xfcc.ForwardedClientCertConfig;
import dev.aimesh.proxy.filter.xfcc.ForwardedClientCertFilter;
import dev.aimesh.proxy.http.ForwardedClientCert;
import dev.aimesh.proxy.http.UpstreamConnector;
import dev.aimesh.proxy.snapshot.ProxySnapshot;
import dev.aimesh.proxy.snapshot.SnapshotHolder;

/**
 * The inbound side's chain, in the order of ARCHITECTURE.md: network policy (for connections admitted under
 * an older snapshot), peer-authentication mode, end-user authentication (only when the snapshot has
 * RequestAuthentications), AI attributes, authorization, data-loss prevention (only when the snapshot has
 * DataLossPreventionPolicies), hop-by-hop headers, XFCC; its route is the local
 * model server. The filters are made once; only the chain's make-up follows the snapshot.
 */
public final class InboundChain {
    private final ChainStep.Forward model;
    private final SecurityEventSink events;
    private final HttpFilter netpol;
    private final HttpFilter peerAuthn;
    private final HttpFilter jwt;
    private final HttpFilter attributes;
    private final HttpFilter authz;
    private final HttpFilter dlp;
    private final HttpFilter rateLimits;
    private final HttpFilter hopByHop = new HopByHopFilter();
    private final HttpFilter xfcc = new ForwardedClientCertFilter(new ForwardedClientCertConfig(ForwardedClientCert.HEADER));

    /** @param modelPort the model server's port, which policies name */
    public InboundChain(UpstreamConnector model, int modelPort, InstantSource clock, SecurityEventSink events) {
        this.model = new ChainStep.Forward(requireNonNull(model, "model"));
        this.events = events;
        this.netpol = new NetworkPolicyFilter(new NetworkPolicyConfig(events));
        this.peerAuthn = new PeerAuthenticationFilter(new PeerAuthenticationConfig(events));
        this.jwt = new RequestAuthenticationFilter(new RequestAuthenticationConfig(events));
        this.attributes = new AiAttributesFilter(AiAttributesConfig.defaults(events));
        this.authz = new AuthorizationFilter(new AuthorizationConfig(modelPort, clock, events));
        this.dlp = new DataLossPreventionFilter(new DataLossPreventionConfig(events));
        this.rateLimits = new RateLimitFilter(RateLimitConfig.defaults(events)); // its counters live as long as the proxy
    }

    /** Exchanges under no policy yet (mTLS required, nothing else checked), as benchmarks run them. */
    public static SnapshotHolder.Source withoutPolicies(UpstreamConnector model, int modelPort) {
        FilterChain chain = new InboundChain(model, modelPort, InstantSource.system(), SecurityEventSink.NONE)
                .assemble(ProxySnapshot.Policy.NONE);
        return new SnapshotHolder.Source(new SnapshotHolder(new ProxySnapshot(ProxySnapshot.Policy.NONE, chain, chain)),
                ProxySnapshot.Side.INBOUND);
    }

    public FilterChain assemble(ProxySnapshot.Policy policy) {
        List<HttpFilter> filters = new ArrayList<>(List.of(netpol, peerAuthn));
        if (policy.authenticator() != RequestAuthenticator.none()) {
            filters.add(jwt);
        }
        filters.addAll(List.of(attributes, authz));
        if (!policy.dlp().isEmpty()) {
            filters.add(dlp);
        }
        if (!policy.rateLimits().isEmpty()) {
            filters.add(rateLimits); // after authorization and DLP: a refused request uses no budget
        }
        filters.addAll(List.of(hopByHop, xfcc));
        return new FilterChain(filters, (exchange, head) -> model, events);
    }
}
