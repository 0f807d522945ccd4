package dev.aimesh.core.analysis;

import java.util.List;
import dev.aimesh.core.authz.PolicySelection;
import dev.aimesh.core.authz.PrincipalPattern;
import dev.aimesh.core.authz.StringMatch;
import dev.aimesh.core.resource.MeshConfig;
import dev.aimesh.core.resource.RateLimitPolicy;
import dev.aimesh.core.resource.RateLimitPolicy.KeyPart;
import dev.aimesh.core.resource.RateLimitPolicy.Limit;
import dev.aimesh.core.resource.Workload;

/**
 * Rate limits that can never bind: a policy that selects no serving workload (the model's inbound proxy enforces
 * it), a limit whose callers are of another trust domain or match no workload, or of a namespace without any; and
 * limits keyed by an end user where no RequestAuthentication applies, so every request shares one budget.
 */
final class RateLimitFindings {
    private RateLimitFindings() {}

    static void add(MeshConfig config, RateLimitPolicy p, List<Finding> findings) {
        String root = config.mesh().authorization().rootNamespace();
        String subject = "RateLimitPolicy " + p.ref();
        List<Workload> serving = config.workloads().stream().filter(w -> w.inbound().isPresent() && !PolicySelection
                .rateLimitsFor(List.of(p), root, w.namespace(), w.name(), w.metadata().labels()).isEmpty()).toList();
        if (serving.isEmpty()) {
            findings.add(new Finding(Finding.Severity.WARNING, p.position(), subject,
                    "selects no workload that serves a model (the model's inbound proxy enforces it): its limits never bind"));
        }
        String trustDomain = config.mesh().trustDomain().name();
        List<String> withoutEndUsers = serving.stream().filter(w -> PolicySelection.authenticationsFor(
                config.requestAuthentications(), root, w.namespace(), w.name(), w.metadata().labels()).isEmpty())
                .map(w -> w.namespace() + "/" + w.name()).toList();
        for (Limit limit : p.limits()) {
            String what = subject + " limit " + limit.name();
            List<StringMatch> principals = limit.when().principals();
            if (!principals.isEmpty()) {
                if (principals.stream().noneMatch(m -> PrincipalPattern.canMatchTrustDomain(m, trustDomain))) {
                    findings.add(new Finding(Finding.Severity.WARNING, p.position(), what, "its principals are all of"
                            + " another trust domain than this mesh's (" + trustDomain + "): it never binds"));
                } else if (config.workloads().stream().noneMatch(w -> principals.stream()
                        .anyMatch(m -> m.matches(config.spiffeIdOf(w).principal())))) {
                    findings.add(new Finding(Finding.Severity.WARNING, p.position(), what, "no workload calls as "
                            + String.join(", ", principals.stream().map(StringMatch::pattern).toList())));
                }
            }
            for (String namespace : limit.when().namespaces()) {
                if (config.workloads().stream().noneMatch(w -> w.namespace().equals(namespace))) {
                    findings.add(new Finding(Finding.Severity.WARNING, p.position(), what, "no workload is in namespace "
                            + namespace));
                }
            }
            boolean endUser = limit.by().stream().anyMatch(k -> k.kind() == KeyPart.Kind.REQUEST_PRINCIPAL
                    || k.kind() == KeyPart.Kind.CLAIM);
            if (endUser && !withoutEndUsers.isEmpty()) {
                findings.add(new Finding(Finding.Severity.WARNING, p.position(), what, "is keyed by the end user, but no"
                        + " RequestAuthentication applies to " + String.join(", ", withoutEndUsers)
                        + ": every request there shares one budget"));
            }
        }
    }
}
