package dev.aimesh.core.authz;

import java.util.List;
import java.util.Map;
import dev.aimesh.core.resource.AuthorizationPolicy;

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
        if (!p.targets().isEmpty()) {
            return p.metadata().namespace().equals(namespace) && p.targets().contains(name);
        }
        return p.selector().map(s -> s.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey()))))
                .orElse(true);
    }
}
