package dev.aimesh.core.authz;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import dev.aimesh.core.identity.TrustDomain;
import dev.aimesh.core.resource.AuthorizationPolicy;
import dev.aimesh.core.resource.AuthorizationPolicy.Action;
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
    private final RuleIndex deny;
    private final RuleIndex allow;
    private final RuleIndex audit;
    private final RuleIndex shadowDeny;
    private final RuleIndex shadowAllow;
    private final List<String> allowPolicies;
    private final List<String> shadowAllowPolicies;
    private final boolean hasDryRun;
    private final boolean defaultDeny;
    private final boolean readsModel;

    /**
     * @param policies the policies that apply to the workload
     * @param defaultDeny deny what no ALLOW policy allows even when none applies (the Mesh setting)
     * @param trustDomain the mesh's; principals written with Istio's default {@code cluster.local} match it too
     */
    public Authorizer(List<AuthorizationPolicy> policies, boolean defaultDeny, TrustDomain trustDomain) {
        this.defaultDeny = defaultDeny;
        List<AuthorizationPolicy> enforced = policies.stream().filter(p -> !p.dryRun()).toList();
        this.deny = index(enforced, Action.DENY, trustDomain);
        this.allow = index(enforced, Action.ALLOW, trustDomain);
        this.audit = index(enforced, Action.AUDIT, trustDomain);
        // what would be enforced if the dry-run policies were too
        List<AuthorizationPolicy> withDryRun = policies.stream().filter(p -> p.action() != Action.AUDIT || !p.dryRun()).toList();
        this.shadowDeny = index(withDryRun, Action.DENY, trustDomain);
        this.shadowAllow = index(withDryRun, Action.ALLOW, trustDomain);
        this.allowPolicies = refs(enforced, Action.ALLOW);
        this.shadowAllowPolicies = refs(withDryRun, Action.ALLOW);
        this.hasDryRun = policies.stream().anyMatch(p -> p.dryRun() && p.action() != Action.AUDIT);
        this.readsModel = policies.stream().flatMap(p -> p.rules().stream()).flatMap(r -> r.when().stream())
                .anyMatch(c -> c.key().isModel());
    }

    private static RuleIndex index(List<AuthorizationPolicy> policies, Action action, TrustDomain trustDomain) {
        List<RuleIndex.Entry> entries = new ArrayList<>();
        List<Set<String>> principals = new ArrayList<>();
        for (AuthorizationPolicy p : policies) {
            if (p.action() != action) {
                continue;
            }
            for (int i = 0; i < p.rules().size(); i++) {
                RuleTests.CompiledRule rule = RuleTests.compile(p.rules().get(i), trustDomain, action != Action.ALLOW);
                entries.add(new RuleIndex.Entry(p.ref(), i, rule.test()));
                principals.add(rule.principals());
            }
        }
        return new RuleIndex(entries, principals);
    }

    private static List<String> refs(List<AuthorizationPolicy> policies, Action action) {
        return policies.stream().filter(p -> p.action() == action).map(AuthorizationPolicy::ref).toList();
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
        AuthzDecision decision = decide(request, deny, allow, allowPolicies);
        List<String> audited = List.of();
        RuleIndex.Entry audit = this.audit.isEmpty() ? null : this.audit.first(request);
        if (audit != null) {
            audited = List.of(audit.policy());
        }
        Optional<AuthzDecision> dryRun = hasDryRun
                ? Optional.of(decide(request, shadowDeny, shadowAllow, shadowAllowPolicies)) : Optional.empty();
        return audited.isEmpty() && dryRun.isEmpty() ? decision : decision.with(audited, dryRun);
    }

    private AuthzDecision decide(AuthzRequest request, RuleIndex denies, RuleIndex allows, List<String> allowRefs) {
        RuleIndex.Entry denied = denies.isEmpty() ? null : denies.first(request);
        if (denied != null) {
            return AuthzDecision.byRule(false, denied.policy(), denied.rule());
        }
        if (allowRefs.isEmpty()) {
            return defaultDeny
                    ? AuthzDecision.byDefault(false, "denied: the mesh denies by default and no ALLOW policy applies to this workload")
                    : AuthzDecision.byDefault(true, "allowed: no ALLOW policy applies to this workload");
        }
        RuleIndex.Entry allowed = allows.first(request);
        if (allowed != null) {
            return AuthzDecision.byRule(true, allowed.policy(), allowed.rule());
        }
        return AuthzDecision.byDefault(false, "denied: no rule of the ALLOW " + (allowRefs.size() == 1 ? "policy " : "policies ")
                + String.join(", ", allowRefs) + " matches");
    }

    /** Whether some rule reads {@code request.model}: an OpenAI-style request's body must then be read first. */
    public boolean readsModel() {
        return readsModel;
    }

    /** Whether any policy applies: with none, the proxy can skip building the request's attributes. */
    public boolean isEmpty() {
        return deny.isEmpty() && allowPolicies.isEmpty() && audit.isEmpty() && !hasDryRun && !defaultDeny;
    }
}
