package dev.aimesh.core.resource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import dev.aimesh.core.config.MappingReader;

/**
 * Which workloads an Istio security policy names: {@code selector.matchLabels}, or {@code targetRefs} (and
 * the older single {@code targetRef}) to Services (Workloads here) of the policy's own namespace, never both.
 */
record WorkloadTargets(Optional<Map<String, String>> selector, List<String> targets) {
    static WorkloadTargets decode(MappingReader spec, ObjectMeta metadata) {
        Optional<Map<String, String>> selector = spec.mapping("selector").map(s -> {
            Map<String, String> labels = s.stringMap("matchLabels");
            s.finish();
            return labels;
        });
        List<String> targets = new ArrayList<>();
        spec.mapping("targetRef").ifPresent(ref -> target(ref, metadata).ifPresent(targets::add));
        for (MappingReader.Item item : spec.list("targetRefs")) {
            item.mapping(spec.diagnostics()).flatMap(ref -> target(ref, metadata)).ifPresent(targets::add);
        }
        if (selector.isPresent() && (spec.has("targetRef") || spec.has("targetRefs"))) {
            spec.error("selector", "set either selector or targetRefs, not both");
        }
        return new WorkloadTargets(selector, targets);
    }

    /** A targetRef names a Service (a Workload here) in the policy's namespace. */
    private static Optional<String> target(MappingReader ref, ObjectMeta metadata) {
        String group = ref.string("group").orElse("");
        String kind = ref.requiredString("kind").orElse("");
        Optional<String> name = ref.value("name", Names::requireSubdomain);
        if (!ref.has("name")) {
            ref.requiredString("name");
        }
        ref.value("namespace", Names::requireLabel).filter(ns -> !ns.equals(metadata.namespace()))
                .ifPresent(ns -> ref.error("namespace", "a policy may only target workloads of its own namespace ("
                        + metadata.namespace() + ")"));
        boolean service = kind.equals("Service") && (group.isEmpty() || group.equals("core"));
        boolean workload = kind.equals("Workload") && group.equals("aimesh.dev");
        if (!kind.isEmpty() && !service && !workload) {
            ref.error("kind", "'" + (group.isEmpty() ? "" : group + "/") + kind + "' cannot be a target here"
                    + " (expected: kind Service, or group aimesh.dev kind Workload)");
        }
        ref.finish();
        return name;
    }
}
