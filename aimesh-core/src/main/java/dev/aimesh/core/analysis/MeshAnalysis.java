package dev.aimesh.core.analysis;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import dev.aimesh.core.authz.Condition;
import dev.aimesh.core.authz.PolicySelection;
import dev.aimesh.core.authz.PrincipalPattern;
import dev.aimesh.core.authz.StringMatch;
import dev.aimesh.core.authz.TimeWindow;
import dev.aimesh.core.resource.AuthorizationPolicy;
import dev.aimesh.core.resource.AuthorizationPolicy.Rule;
import dev.aimesh.core.resource.AuthorizationPolicy.Source;
import dev.aimesh.core.resource.DataLossPreventionPolicy;
import dev.aimesh.core.peerauthn.EffectiveMtls;
import dev.aimesh.core.peerauthn.PeerAuthentications;
import dev.aimesh.core.resource.MeshConfig;
import dev.aimesh.core.resource.PeerAuthentication;
import dev.aimesh.core.resource.RateLimitPolicy;
import dev.aimesh.core.resource.Workload;

/**
 * What {@code aimesh analyze} finds in a config that loads: serving workloads that accept plain text
 * (PeerAuthentication not STRICT), policies that select no workload (DataLossPreventionPolicies: no serving one,
 * or caller rules no caller matches; RateLimitPolicies: limits that can never bind, {@link RateLimitFindings}), ALLOW rules
 * that grant everything, rules that can never match (a principal of another trust domain, a namespace with
 * no workload, a request principal where no RequestAuthentication applies, a grant that has expired, a
 * value both required and excluded), and, for every workload that serves, who can reach it.
 */
public final class MeshAnalysis {
    private MeshAnalysis() {}

    public record Report(List<Finding> findings, List<Reach> reach) {
        public Report {
            findings = List.copyOf(findings);
            reach = List.copyOf(reach);
        }
    }

    /** A workload that serves and who may call it: every caller, or those named, with the rules that say so. */
    public record Reach(String workload, boolean everyone, List<String> callers) {
        public Reach {
            callers = List.copyOf(callers);
        }
    }

    public static Report analyze(MeshConfig config, Instant now) {
        List<Finding> findings = new ArrayList<>();
        String root = config.mesh().authorization().rootNamespace();
        for (AuthorizationPolicy p : config.authorizationPolicies()) {
            List<Workload> selected = config.workloads().stream().filter(w -> PolicySelection.forWorkload(List.of(p), root,
                    w.namespace(), w.name(), w.metadata().labels()).contains(p)).toList();
            if (selected.isEmpty()) {
                findings.add(new Finding(Finding.Severity.WARNING, p.position(), "AuthorizationPolicy " + p.ref(),
                        "selects no workload" + (p.targets().isEmpty() ? "" : " (targetRefs: " + String.join(", ", p.targets()) + ")")));
            }
            for (int i = 0; i < p.rules().size(); i++) {
                rule(config, p, i, selected, now, findings);
            }
        }
        for (DataLossPreventionPolicy p : config.dataLossPreventionPolicies()) {
            dataLossPrevention(config, p, findings);
        }
        for (RateLimitPolicy p : config.rateLimitPolicies()) {
            RateLimitFindings.add(config, p, findings);
        }
        List<Reach> reach = new ArrayList<>();
        for (Workload w : config.workloads()) {
            if (w.inbound().isPresent()) {
                reach.add(reach(config, w));
                int port = w.inbound().get().upstream().map(u -> u.port()).orElse(0);
                EffectiveMtls mtls = PeerAuthentications.modeFor(config, w.namespace(), w.metadata().labels(), port);
                if (mtls.mode() != PeerAuthentication.MtlsMode.STRICT) {
                    findings.add(new Finding(Finding.Severity.WARNING, w.position(), "Workload " + w.namespace() + "/"
                            + w.name(), "accepts plain text, without mTLS (" + mtls.reason() + ")"));
                }
            }
        }
        return new Report(findings, reach);
    }

    /**
     * A DLP policy that selects no serving workload (the model's inbound proxy enforces it), and caller rules that
     * can apply to no caller: a namespace without workloads, labels no workload carries.
     */
    private static void dataLossPrevention(MeshConfig config, DataLossPreventionPolicy p, List<Finding> findings) {
        String root = config.mesh().authorization().rootNamespace();
        String subject = "DataLossPreventionPolicy " + p.ref();
        boolean serves = config.workloads().stream().anyMatch(w -> w.inbound().isPresent() && !PolicySelection
                .dataLossPreventionFor(List.of(p), root, w.namespace(), w.name(), w.metadata().labels()).isEmpty());
        if (!serves) {
            findings.add(new Finding(Finding.Severity.WARNING, p.position(), subject,
                    "selects no workload that serves a model (the model's inbound proxy enforces it)"));
        }
        for (DataLossPreventionPolicy.Rule rule : p.rules()) {
            DataLossPreventionPolicy.Callers callers = rule.callers();
            for (String namespace : callers.namespaces()) {
                if (config.workloads().stream().noneMatch(w -> w.namespace().equals(namespace))) {
                    findings.add(new Finding(Finding.Severity.WARNING, p.position(), subject, "rule " + rule.name()
                            + ": no workload in namespace " + namespace + " calls with these callers"));
                }
            }
            if (!callers.labels().isEmpty() && config.workloads().stream().noneMatch(w -> callers.labels().entrySet().stream()
                    .allMatch(e -> e.getValue().equals(w.metadata().labels().get(e.getKey()))))) {
                findings.add(new Finding(Finding.Severity.WARNING, p.position(), subject, "rule " + rule.name()
                        + ": no workload has the labels " + callers.labels()));
            }
        }
    }

    /** Whether some selected workload validates no end-user token, so that nothing about one is ever known there. */
    private static boolean withoutRequestAuthentication(MeshConfig config, List<Workload> selected) {
        return selected.stream().anyMatch(w -> PolicySelection.authenticationsFor(config.requestAuthentications(),
                config.mesh().authorization().rootNamespace(), w.namespace(), w.name(), w.metadata().labels()).isEmpty());
    }

    private static void rule(MeshConfig config, AuthorizationPolicy p, int index, List<Workload> selected, Instant now,
            List<Finding> findings) {
        Rule rule = p.rules().get(index);
        String subject = "AuthorizationPolicy " + p.ref() + " rule " + index;
        if (p.action() == AuthorizationPolicy.Action.ALLOW && rule.from().isEmpty() && rule.to().isEmpty() && rule.when().isEmpty()) {
            findings.add(new Finding(Finding.Severity.WARNING, rule.position(), subject, "allows every request"
                    + (selected.isEmpty() ? "" : " to " + refs(selected)) + " (a rule with no from, to or when matches all)"));
        }
        for (Source s : rule.from()) {
            for (StringMatch principal : s.principals()) {
                if (!PrincipalPattern.canMatchTrustDomain(principal, config.mesh().trustDomain().name())) {
                    String pattern = principal.pattern();
                    String domain = pattern.contains("/") ? pattern.substring(0, pattern.indexOf('/')) : pattern;
                    findings.add(new Finding(Finding.Severity.WARNING, rule.position(), subject, "principal "
                            + pattern + " is of trust domain " + domain + ", not this mesh's ("
                            + config.mesh().trustDomain().name() + "): it can never match"));
                }
            }
            for (StringMatch ns : s.namespaces()) {
                if (ns instanceof StringMatch.Exact && config.workloads().stream().noneMatch(w -> w.namespace().equals(ns.pattern()))) {
                    findings.add(new Finding(Finding.Severity.INFO, rule.position(), subject, "no workload is in namespace "
                            + ns.pattern() + " yet"));
                }
            }
            if (!s.requestPrincipals().isEmpty() && withoutRequestAuthentication(config, selected)) {
                findings.add(new Finding(Finding.Severity.WARNING, rule.position(), subject, "names requestPrincipals, but no"
                        + " RequestAuthentication applies to " + refs(selected) + ": no request there has one"));
            }
        }
        for (var op : rule.to()) {
            Set<String> both = new LinkedHashSet<>(op.methods());
            both.retainAll(op.notMethods());
            if (!both.isEmpty() && both.size() == op.methods().size()) {
                findings.add(new Finding(Finding.Severity.WARNING, rule.position(), subject, "every method it names is also"
                        + " in notMethods (" + String.join(", ", both) + "): it can never match"));
            }
        }
        for (Condition c : rule.when()) {
            if (c.key().text().startsWith("request.auth.") && !c.values().isEmpty()
                    && withoutRequestAuthentication(config, selected)) {
                findings.add(new Finding(Finding.Severity.WARNING, rule.position(), subject, "has a condition on "
                        + c.key().text() + ", but no RequestAuthentication applies to " + refs(selected)
                        + ": no request there has a validated token, so it can never match"));
            }
            if (c.key().text().equals("request.time")) {
                for (String value : c.values()) {
                    if (TimeWindow.parse(value) instanceof TimeWindow.Before before && !now.isBefore(before.bound())) {
                        findings.add(new Finding(Finding.Severity.WARNING, rule.position(), subject, "the grant '" + value
                                + "' has expired: the rule can no longer match on it"));
                    }
                }
            }
        }
    }

    /** Who may call {@code w}: a coarse view from the rules' sources (their operations and conditions not weighed). */
    private static Reach reach(MeshConfig config, Workload w) {
        String root = config.mesh().authorization().rootNamespace();
        List<AuthorizationPolicy> applying = PolicySelection.forWorkload(config.authorizationPolicies(), root, w.namespace(),
                w.name(), w.metadata().labels());
        List<AuthorizationPolicy> allows = applying.stream()
                .filter(p -> p.action() == AuthorizationPolicy.Action.ALLOW && !p.dryRun()).toList();
        String ref = w.namespace() + "/" + w.name();
        String trustDomain = config.mesh().trustDomain().name();
        if (allows.isEmpty()) {
            return new Reach(ref, !config.mesh().authorization().defaultDeny(), List.of());
        }
        List<String> callers = new ArrayList<>();
        for (AuthorizationPolicy p : allows) {
            for (int i = 0; i < p.rules().size(); i++) {
                Rule rule = p.rules().get(i);
                String where = " (" + p.ref() + " rule " + i + (rule.to().isEmpty() && rule.when().isEmpty() ? "" : ", with conditions") + ")";
                if (rule.from().isEmpty()) {
                    callers.add("any caller" + where);
                }
                for (Source s : rule.from()) {
                    // a principal of another trust domain matches nobody: it is a finding, never a caller
                    s.principals().stream().filter(x -> PrincipalPattern.canMatchTrustDomain(x, trustDomain))
                            .forEach(x -> callers.add(x.pattern() + where));
                    s.namespaces().forEach(x -> callers.add("namespace " + x.pattern() + where));
                    s.requestPrincipals().forEach(x -> callers.add("end users " + x.pattern() + where));
                    s.ipBlocks().forEach(x -> callers.add("address " + x + where));
                    if (s.principals().isEmpty() && s.namespaces().isEmpty() && s.requestPrincipals().isEmpty() && s.ipBlocks().isEmpty()) {
                        callers.add("any caller not excluded" + where);
                    }
                }
            }
        }
        return new Reach(ref, false, callers);
    }

    private static String refs(List<Workload> workloads) {
        return String.join(", ", workloads.stream().map(w -> w.namespace() + "/" + w.name()).toList());
    }
}
