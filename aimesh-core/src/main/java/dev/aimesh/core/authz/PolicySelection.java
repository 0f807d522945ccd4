package dev.aimesh.core.authz;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import dev.aimesh.core.resource.AuthorizationPolicy;
import dev.aimesh.core.resource.DataLossPreventionPolicy;
import dev.aimesh.core.resource.ObjectMeta;
import dev.aimesh.core.resource.RateLimitPolicy;
import dev.aimesh.core.resource.RequestAuthentication;

/**
 * Which policies apply to a workload, as Istio decides it: a policy in the root namespace applies across
 * the mesh, any other only in its own namespace; within that scope, a policy with a {@code selector} applies
 * to workloads carrying all its labels, one with {@code targetRefs} to the workloads it names, and one with
 * neither to every workload.
 */
public final class PolicySelection {
    private PolicySelection() {}

    public static List<AuthorizationPolicy> forWorkload(List<AuthorizationPolicy> policies, String rootNamespace,
            String namespace, String name, Map<String, String> labels) {
        return policies.stream()
                .filter(p -> p.metadata().namespace().equals(rootNamespace) || p.metadata().namespace().equals(namespace))
                .filter(p -> applies(p, namespace, name, labels))
                .toList();
    }

    private static boolean applies(AuthorizationPolicy p, String namespace, String name, Map<String, String> labels) {
        return applies(p.metadata().namespace(), p.selector(), p.targets(), namespace, name, labels);
    }

    /** The RequestAuthentications that apply to a workload, by the same rules. */
    public static List<RequestAuthentication> authenticationsFor(List<RequestAuthentication> policies, String rootNamespace,
            String namespace, String name, Map<String, String> labels) {
        return policies.stream()
                .filter(p -> p.metadata().namespace().equals(rootNamespace) || p.metadata().namespace().equals(namespace))
                .filter(p -> applies(p.metadata().namespace(), p.selector(), p.targets(), namespace, name, labels))
                .toList();
    }

    /** The DataLossPreventionPolicies that apply to a workload, by the same rules (they have no targets). */
    public static List<DataLossPreventionPolicy> dataLossPreventionFor(List<DataLossPreventionPolicy> policies,
            String rootNamespace, String namespace, String name, Map<String, String> labels) {
        return selected(policies, DataLossPreventionPolicy::metadata, DataLossPreventionPolicy::selector, rootNamespace,
                namespace, name, labels);
    }

    /** The RateLimitPolicies that apply to a workload, by the same rules. */
    public static List<RateLimitPolicy> rateLimitsFor(List<RateLimitPolicy> policies, String rootNamespace, String namespace,
            String name, Map<String, String> labels) {
        return selected(policies, RateLimitPolicy::metadata, RateLimitPolicy::selector, rootNamespace, namespace, name, labels);
    }

    private static <P> List<P> selected(List<P> policies, java.util.function.Function<P, ObjectMeta> metadata,
            java.util.function.Function<P, Optional<Map<String, String>>> selector, String rootNamespace, String namespace,
            String name, Map<String, String> labels) {
        return policies.stream()
                .filter(p -> metadata.apply(p).namespace().equals(rootNamespace) || metadata.apply(p).namespace().equals(namespace))
                .filter(p -> applies(metadata.apply(p).namespace(), selector.apply(p), List.of(), namespace, name, labels))
                .toList();
    }

    private static boolean applies(String policyNamespace, Optional<Map<String, String>> selector, List<String> targets,
            String namespace, String name, Map<String, String> labels) {
        if (!targets.isEmpty()) {
            return policyNamespace.equals(namespace) && targets.contains(name);
        }
        return selector.map(s -> s.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey()))))
                .orElse(true);
    }
}
