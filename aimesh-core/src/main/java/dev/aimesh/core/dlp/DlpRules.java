package dev.aimesh.core.dlp;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.resource.DataLossPreventionPolicy;
import dev.aimesh.core.resource.DataLossPreventionPolicy.Direction;
import dev.aimesh.core.resource.DataLossPreventionPolicy.Inspection;
import dev.aimesh.core.resource.DataLossPreventionPolicy.OverLimit;

/**
 * The DataLossPreventionPolicies of one workload, compiled: for a direction and a caller, the {@link Plan} that
 * applies — every detector any applicable rule names, with the strongest of their actions. Rules for every caller
 * make one plan per direction, built here; rules for some callers make a plan per combination of them that a
 * caller matches, built the first time one is met and kept (a policy has few such rules). Immutable and safe to
 * share across event loops.
 */
public final class DlpRules {
    public static final DlpRules NONE = new DlpRules(List.of(), null);

    private final List<Compiled> rules;
    /** Indexes in {@link #rules} of the rules for some callers only, at most 63. */
    private final int[] conditional;
    /** The policies' inspection, combined: the smallest cap, and refuse when any says so. */
    private final Inspection inspection;
    /** Plans by the mask of caller rules matched, per direction; replaced whole when one is added (see {@link #plan}). */
    private volatile Map<Long, Optional<Plan>> requestPlans;
    private volatile Map<Long, Optional<Plan>> responsePlans;
    /** Kept plans per direction at most; past it a plan is made per call (a mesh with that many caller mixes is odd). */
    static final int MAX_KEPT_PLANS = 256;
    private final ValueHashes hashes;

    private record Compiled(String source, DataLossPreventionPolicy.Rule rule) {}

    private DlpRules(List<DataLossPreventionPolicy> sorted, ValueHashes hashes) {
        this.hashes = hashes;
        List<Compiled> all = new ArrayList<>();
        List<Integer> conditionalRules = new ArrayList<>();
        int max = Inspection.MAX_BODY_BYTES;
        boolean refuse = false;
        for (DataLossPreventionPolicy policy : sorted) {
            for (DataLossPreventionPolicy.Rule rule : policy.rules()) {
                if (!rule.callers().any()) {
                    conditionalRules.add(all.size());
                }
                all.add(new Compiled(policy.ref() + "#" + rule.name(), rule));
            }
            max = Math.min(max, policy.inspection().maxBodyBytes());
            refuse |= policy.inspection().overLimit() == OverLimit.REFUSE;
        }
        if (conditionalRules.size() > 63) {
            throw new IllegalArgumentException(conditionalRules.size() + " DLP rules for some callers apply to one workload"
                    + " (at most 63)");
        }
        this.rules = List.copyOf(all);
        this.conditional = conditionalRules.stream().mapToInt(Integer::intValue).toArray();
        this.inspection = sorted.isEmpty() ? Inspection.DEFAULTS : new Inspection(max, refuse ? OverLimit.REFUSE : OverLimit.PASS);
        this.requestPlans = Map.of(0L, build(Direction.REQUEST, 0L));
        this.responsePlans = Map.of(0L, build(Direction.RESPONSE, 0L));
    }

    /**
     * @param policies the policies that apply to the workload (as the control plane selected them)
     * @param hashes how findings' values are hashed for the audit trail, or null for no hashes
     * @throws IllegalArgumentException when more than 63 rules for some callers apply
     */
    public static DlpRules compile(List<DataLossPreventionPolicy> policies, ValueHashes hashes) {
        return policies.isEmpty() ? NONE : new DlpRules(policies.stream()
                .sorted(java.util.Comparator.comparing(DataLossPreventionPolicy::ref)).toList(), hashes);
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    /** Whether any rule depends on the caller (the filter then has to say who it is). */
    public boolean dependsOnCaller() {
        return conditional.length > 0;
    }

    /** The plan for requests from, or responses to, {@code caller}; empty when no rule applies. */
    public Optional<Plan> plan(Direction direction, Caller caller) {
        long mask = 0;
        for (int k = 0; k < conditional.length; k++) {
            if (matches(rules.get(conditional[k]).rule().callers(), caller)) {
                mask |= 1L << k;
            }
        }
        Map<Long, Optional<Plan>> kept = direction == Direction.REQUEST ? requestPlans : responsePlans;
        Optional<Plan> plan = kept.get(mask);
        if (plan != null) {
            return plan;
        }
        plan = build(direction, mask);
        if (kept.size() < MAX_KEPT_PLANS) {
            // copy on write: event loops read without locks; two making the same plan at once only build it twice
            Map<Long, Optional<Plan>> next = new java.util.HashMap<>(kept);
            next.put(mask, plan);
            if (direction == Direction.REQUEST) {
                requestPlans = Map.copyOf(next);
            } else {
                responsePlans = Map.copyOf(next);
            }
        }
        return plan;
    }

    private Optional<Plan> build(Direction direction, long mask) {
        Map<Detector, DlpAction> actions = new EnumMap<>(Detector.class);
        Map<Detector, String> sources = new EnumMap<>(Detector.class);
        int next = 0;
        for (int i = 0; i < rules.size(); i++) {
            Compiled c = rules.get(i);
            boolean applies = c.rule().callers().any();
            if (!applies) {
                applies = (mask & (1L << next)) != 0;
                next++;
            }
            if (!applies || !c.rule().directions().contains(direction)) {
                continue;
            }
            for (Detector d : c.rule().detectors()) {
                DlpAction before = actions.get(d);
                DlpAction after = before == null ? c.rule().action() : before.max(c.rule().action());
                if (after != before) {
                    actions.put(d, after);
                    sources.put(d, c.source());
                }
            }
        }
        if (actions.isEmpty()) {
            return Optional.empty();
        }
        Redactor redactor = new Redactor(actions, hashes);
        return Optional.of(new Plan(redactor, new JsonRedactor(redactor), sources, inspection));
    }

    private static boolean matches(DataLossPreventionPolicy.Callers callers, Caller caller) {
        if (caller.principal() != null && callers.principals().stream().anyMatch(p -> p.matches(caller.principal()))) {
            return true;
        }
        if (caller.namespace() != null && callers.namespaces().contains(caller.namespace())) {
            return true;
        }
        return !callers.labels().isEmpty()
                && callers.labels().entrySet().stream().allMatch(e -> e.getValue().equals(caller.labels().get(e.getKey())));
    }

    /**
     * Who a request comes from, as caller rules read it.
     *
     * @param principal Istio's form of the verified peer's SPIFFE ID, or null
     * @param namespace the {@code ns} of that ID, or null
     * @param labels the labels of the caller's workload in the registry (empty when unknown)
     */
    public record Caller(String principal, String namespace, Map<String, String> labels) {
        public static final Caller ANONYMOUS = new Caller(null, null, Map.of());

        public Caller {
            requireNonNull(labels, "labels");
        }

        public static Caller of(Optional<SpiffeId> peer, Map<String, String> labels) {
            if (peer.isEmpty()) {
                return ANONYMOUS;
            }
            return new Caller(peer.get().principal(), peer.get().namespace().orElse(null), labels);
        }
    }

    /**
     * What to do with one body: the redactor of the detectors that apply (as text, and for JSON bodies), for each
     * detector the rule whose action it takes ({@code namespace/name#rule}, which findings name), and the inspection cap.
     */
    public record Plan(Redactor redactor, JsonRedactor json, Map<Detector, String> sources, Inspection inspection) {
        public Plan {
            sources = Map.copyOf(sources);
        }

        /** The rule a finding's action came from. */
        public String source(Detector detector) {
            return sources.getOrDefault(detector, "");
        }
    }
}
