package dev.aimesh.core.resource;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import dev.aimesh.core.authz.StringMatch;
import dev.aimesh.core.config.Position;
import dev.aimesh.core.dlp.Detector;
import dev.aimesh.core.dlp.DlpAction;

/**
 * aimesh's {@code DataLossPreventionPolicy} ({@code aimesh.dev/v1alpha1}), validated: what the inbound proxy of
 * the selected workloads looks for in the bodies of requests (prompts) and responses, and what it does with a
 * finding. Policies are selected as Istio selects AuthorizationPolicies (root namespace: the whole mesh; else
 * its own namespace; a selector narrows to workloads with its labels). How the rules of several policies
 * combine lives in {@link dev.aimesh.core.dlp.DlpRules}.
 *
 * @param selector labels a workload must have; empty: every workload of the scope
 * @param rules what to look for, where, for which callers, and what to do
 * @param inspection how much of a body is inspected, and what a longer one gets
 */
public record DataLossPreventionPolicy(ObjectMeta metadata, Position position, Optional<Map<String, String>> selector,
        List<Rule> rules, Inspection inspection) implements Resource {
    public static final ResourceType TYPE = new ResourceType("aimesh.dev/v1alpha1", "DataLossPreventionPolicy");

    public DataLossPreventionPolicy {
        requireNonNull(metadata, "metadata");
        requireNonNull(position, "position");
        selector = selector.map(Map::copyOf);
        rules = List.copyOf(rules);
        requireNonNull(inspection, "inspection");
    }

    @Override
    public ResourceType type() {
        return TYPE;
    }

    /** {@code namespace/name}, as findings and events name the policy. */
    public String ref() {
        return metadata.namespace() + "/" + metadata.name();
    }

    /**
     * One rule: the detectors it runs on the bodies of the given directions, the action it takes on what they
     * find, and, when {@link Callers#any()} is false, the callers it applies to (masking by caller: a rule that
     * redacts responses only for non-production callers).
     *
     * @param name its name in findings and events ({@code rules[2]} when the policy gives none)
     */
    public record Rule(String name, Set<Direction> directions, Set<Detector> detectors, DlpAction action, Callers callers) {
        public Rule {
            requireNonNull(name, "name");
            directions = Set.copyOf(directions);
            detectors = Set.copyOf(detectors);
            requireNonNull(action, "action");
            requireNonNull(callers, "callers");
        }
    }

    /**
     * Which callers a rule applies to: any of the principals, any of the namespaces, or a workload with all the
     * labels (the caller's entry in the registry). All empty: every caller, also one without a verified identity.
     */
    public record Callers(List<StringMatch> principals, List<String> namespaces, Map<String, String> labels) {
        public static final Callers ANY = new Callers(List.of(), List.of(), Map.of());

        public Callers {
            principals = List.copyOf(principals);
            namespaces = List.copyOf(namespaces);
            labels = Map.copyOf(labels);
        }

        public boolean any() {
            return principals.isEmpty() && namespaces.isEmpty() && labels.isEmpty();
        }
    }

    /**
     * How much of a body is inspected. A request body is read whole up to {@code maxBodyBytes} before it goes on;
     * a response is inspected as it streams (an event or a non-streamed JSON body up to the same cap).
     *
     * @param overLimit what a body over the cap gets: refused (413 for a request; a response ended with an error), or
     *     passed uninspected with an audit event
     */
    public record Inspection(int maxBodyBytes, OverLimit overLimit) {
        public static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
        public static final int MAX_BODY_BYTES = 16 * 1024 * 1024;
        public static final Inspection DEFAULTS = new Inspection(DEFAULT_MAX_BODY_BYTES, OverLimit.REFUSE);

        public Inspection {
            if (maxBodyBytes < 1 || maxBodyBytes > MAX_BODY_BYTES) {
                throw new IllegalArgumentException("maxBodyBytes: " + maxBodyBytes + " (expected: 1.." + MAX_BODY_BYTES + ")");
            }
            requireNonNull(overLimit, "overLimit");
        }
    }

    /** Which body a rule inspects: the request's (the prompt) or the response's. */
    public enum Direction { REQUEST, RESPONSE }

    /** What a body over the inspection cap gets. */
    public enum OverLimit { REFUSE, PASS }
}
