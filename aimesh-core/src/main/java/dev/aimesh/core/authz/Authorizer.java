package dev.aimesh.core.authz;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import dev.aimesh.core.identity.TrustDomain;
import dev.aimesh.core.resource.AuthorizationPolicy;
import dev.aimesh.core.resource.Mesh;
import dev.aimesh.core.resource.MeshConfig;

/**
 * The authorization policies of one workload, compiled, with Istio's order of evaluation: a request that
 * matches a DENY policy is denied; otherwise, if no ALLOW policy applies, it is allowed (or denied, when
 * the mesh is default-deny); otherwise it is allowed only if an ALLOW policy matches. AUDIT policies never
 * change the outcome, they mark the request for the audit log. Dry-run policies are evaluated beside the
 * others, and their would-be decision is reported, not enforced. Immutable and thread-safe.
 */
public final class Authorizer {
    private final List<CompiledPolicy> deny = new ArrayList<>();
    private final List<CompiledPolicy> allow = new ArrayList<>();
    private final List<CompiledPolicy> audit = new ArrayList<>();
    private final List<CompiledPolicy> dryRunDeny = new ArrayList<>();
    private final List<CompiledPolicy> dryRunAllow = new ArrayList<>();
    private final boolean defaultDeny;

    private record CompiledPolicy(String ref, List<RequestTest> rules) {
        int firstMatch(AuthzRequest request) {
            for (int i = 0, n = rules.size(); i < n; i++) {
                if (rules.get(i).test(request)) {
                    return i;
                }
            }
            return -1;
        }
    }

    /**
     * @param policies the policies that apply to the workload
     * @param defaultDeny deny what no ALLOW policy allows even when none applies (the Mesh setting)
     * @param trustDomain the mesh's; principals written with Istio's default {@code cluster.local} match it too
     */
    public Authorizer(List<AuthorizationPolicy> policies, boolean defaultDeny, TrustDomain trustDomain) {
        this.defaultDeny = defaultDeny;
        for (AuthorizationPolicy p : policies) {
            CompiledPolicy compiled = new CompiledPolicy(p.ref(),
                    p.rules().stream().map(r -> RuleTests.compile(r, trustDomain)).toList());
            List<CompiledPolicy> into = switch (p.action()) {
                case DENY -> p.dryRun() ? dryRunDeny : deny;
                case ALLOW -> p.dryRun() ? dryRunAllow : allow;
                case AUDIT -> p.dryRun() ? null : audit;
            };
            if (into != null) {
                into.add(compiled);
            }
        }
    }

    /** The policies of {@code config} that apply to one workload, compiled with the mesh's settings. */
    public static Authorizer forWorkload(MeshConfig config, String namespace, String name, Map<String, String> labels) {
        Mesh.Authorization settings = config.mesh().authorization();
        return new Authorizer(PolicySelection.forWorkload(config.authorizationPolicies(), settings.rootNamespace(),
                namespace, name, labels), settings.defaultDeny(), config.mesh().trustDomain());
    }

    public static Authorizer allowAll() {
        return new Authorizer(List.of(), false, TrustDomain.parse("cluster.local"));
    }

    public AuthzDecision decide(AuthzRequest request) {
        AuthzDecision decision = decide(request, deny, allow);
        List<String> audited = List.of();
        for (CompiledPolicy p : audit) {
            if (p.firstMatch(request) >= 0) {
                audited = audited.isEmpty() ? new ArrayList<>(2) : audited;
                audited.add(p.ref());
            }
        }
        Optional<AuthzDecision> dryRun = Optional.empty();
        if (!dryRunDeny.isEmpty() || !dryRunAllow.isEmpty()) {
            List<CompiledPolicy> denies = new ArrayList<>(deny);
            denies.addAll(dryRunDeny);
            List<CompiledPolicy> allows = new ArrayList<>(allow);
            allows.addAll(dryRunAllow);
            dryRun = Optional.of(decide(request, denies, allows));
        }
        return audited.isEmpty() && dryRun.isEmpty() ? decision : decision.with(audited, dryRun);
    }

    private AuthzDecision decide(AuthzRequest request, List<CompiledPolicy> denies, List<CompiledPolicy> allows) {
        for (CompiledPolicy p : denies) {
            int rule = p.firstMatch(request);
            if (rule >= 0) {
                return AuthzDecision.byRule(false, p.ref(), rule);
            }
        }
        if (allows.isEmpty()) {
            return defaultDeny
                    ? AuthzDecision.byDefault(false, "denied: the mesh denies by default and no ALLOW policy applies to this workload")
                    : AuthzDecision.byDefault(true, "allowed: no ALLOW policy applies to this workload");
        }
        for (CompiledPolicy p : allows) {
            int rule = p.firstMatch(request);
            if (rule >= 0) {
                return AuthzDecision.byRule(true, p.ref(), rule);
            }
        }
        return AuthzDecision.byDefault(false, "denied: no rule of the ALLOW "
                + (allows.size() == 1 ? "policy " : "policies ")
                + String.join(", ", allows.stream().map(CompiledPolicy::ref).toList()) + " matches");
    }

    /** Whether any policy applies: with none, the proxy can skip building the request's attributes. */
    public boolean isEmpty() {
        return deny.isEmpty() && allow.isEmpty() && audit.isEmpty() && dryRunDeny.isEmpty() && dryRunAllow.isEmpty()
                && !defaultDeny;
    }
}
