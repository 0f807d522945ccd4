package dev.aimesh.proxy.snapshot;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.Set;
import dev.aimesh.core.authz.Authorizer;
import dev.aimesh.core.dlp.DlpRules;
import dev.aimesh.core.peerauthn.EffectiveMtls;
import dev.aimesh.core.ratelimit.RateLimits;
import dev.aimesh.core.resource.PeerAuthentication.MtlsMode;
import dev.aimesh.core.resource.Workload;
import dev.aimesh.proxy.filter.FilterChain;
import dev.aimesh.proxy.filter.authn.RequestAuthenticator;

/**
 * Everything a proxy enforces, as one immutable value of one version: the compiled policy and the two filter
 * chains assembled for it. Published whole through a {@link SnapshotHolder}; an exchange reads it once, at its
 * start, and is decided with it to its end, so no exchange sees two versions.
 */
public record ProxySnapshot(Policy policy, FilterChain inbound, FilterChain outbound) {
    public ProxySnapshot {
        requireNonNull(policy, "policy");
        requireNonNull(inbound, "inbound");
        requireNonNull(outbound, "outbound");
    }

    /**
     * The compiled policy of one version.
     *
     * @param mtls the PeerAuthentication mode of this workload's port
     * @param forwardedPath which path the model server is sent: the normalized one policy decided on, or the raw one
     * @param dlp the DataLossPreventionPolicies of this workload, compiled
     * @param rateLimits the RateLimitPolicies of this workload, compiled (their counters live in the proxy, across versions)
     */
    public record Policy(String version, Authorizer authorizer, RequestAuthenticator authenticator, EffectiveMtls mtls,
            NetworkView network, RegistryIndex registry, Workload.ForwardedPath forwardedPath, DlpRules dlp,
            RateLimits rateLimits) {
        /** Before the first snapshot: mTLS required, no policy, no registry (calls out are refused). */
        public static final Policy NONE = new Policy("", Authorizer.allowAll(), RequestAuthenticator.none(),
                new EffectiveMtls(MtlsMode.STRICT, EffectiveMtls.Scope.DEFAULT, Optional.empty()), NetworkView.NONE,
                RegistryIndex.NONE, Workload.ForwardedPath.NORMALIZED);

        public Policy {
            requireNonNull(version, "version");
            requireNonNull(authorizer, "authorizer");
            requireNonNull(authenticator, "authenticator");
            requireNonNull(mtls, "mtls");
            requireNonNull(network, "network");
            requireNonNull(registry, "registry");
            requireNonNull(forwardedPath, "forwardedPath");
            requireNonNull(dlp, "dlp");
            requireNonNull(rateLimits, "rateLimits");
        }

        /** A policy without rate limits. */
        public Policy(String version, Authorizer authorizer, RequestAuthenticator authenticator, EffectiveMtls mtls,
                NetworkView network, RegistryIndex registry, Workload.ForwardedPath forwardedPath, DlpRules dlp) {
            this(version, authorizer, authenticator, mtls, network, registry, forwardedPath, dlp, RateLimits.NONE);
        }

        /** A policy without data-loss prevention. */
        public Policy(String version, Authorizer authorizer, RequestAuthenticator authenticator, EffectiveMtls mtls,
                NetworkView network, RegistryIndex registry, Workload.ForwardedPath forwardedPath) {
            this(version, authorizer, authenticator, mtls, network, registry, forwardedPath, DlpRules.NONE);
        }
    }

    /** Makes the chains of a policy: once per snapshot, by the proxy that knows its upstreams. */
    public interface ChainAssembly {
        FilterChain inbound(Policy policy);

        FilterChain outbound(Policy policy);
    }

    public static ProxySnapshot assemble(Policy policy, ChainAssembly chains) {
        return new ProxySnapshot(policy, chains.inbound(policy), chains.outbound(policy));
    }

    /** The chain of one side. */
    public FilterChain chain(Side side) {
        return side == Side.INBOUND ? inbound : outbound;
    }

    public String version() {
        return policy.version();
    }

    public Authorizer authorizer() {
        return policy.authorizer();
    }

    public RequestAuthenticator authenticator() {
        return policy.authenticator();
    }

    /** The headers only the proxy may set (from a verified token): removed from what clients send, trailers too. */
    public Set<String> identityHeaders() {
        return policy.authenticator().identityHeaders();
    }

    public EffectiveMtls mtls() {
        return policy.mtls();
    }

    public boolean plaintextAllowed() {
        return policy.mtls().mode() != MtlsMode.STRICT;
    }

    public NetworkView network() {
        return policy.network();
    }

    public RegistryIndex registry() {
        return policy.registry();
    }

    public Workload.ForwardedPath forwardedPath() {
        return policy.forwardedPath();
    }

    public DlpRules dlp() {
        return policy.dlp();
    }

    public RateLimits rateLimits() {
        return policy.rateLimits();
    }

    /** Which of a proxy's two sides an exchange is on. */
    public enum Side { INBOUND, OUTBOUND }
}
