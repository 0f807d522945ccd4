package dev.aimesh.core.netpol;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Kubernetes label selector: every {@code matchLabels} pair and every {@code matchExpressions} requirement
 * must hold. The empty selector matches everything.
 */
public record LabelSelector(Map<String, String> matchLabels, List<Requirement> matchExpressions) {
    public static final LabelSelector ALL = new LabelSelector(Map.of(), List.of());

    public LabelSelector {
        matchLabels = Map.copyOf(matchLabels);
        matchExpressions = List.copyOf(matchExpressions);
    }

    public boolean matches(Map<String, String> labels) {
        return matchLabels.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())))
                && matchExpressions.stream().allMatch(r -> r.matches(labels));
    }

    /** One {@code matchExpressions} entry. */
    public record Requirement(String key, Operator operator, Set<String> values) {
        public Requirement {
            requireNonNull(key, "key");
            requireNonNull(operator, "operator");
            values = Set.copyOf(values);
        }

        public boolean matches(Map<String, String> labels) {
            String value = labels.get(key);
            return switch (operator) {
                case IN -> value != null && values.contains(value);
                case NOT_IN -> value == null || !values.contains(value); // as Kubernetes: a missing key is "not in"
                case EXISTS -> value != null;
                case DOES_NOT_EXIST -> value == null;
            };
        }
    }

    public enum Operator {
        IN("In"), NOT_IN("NotIn"), EXISTS("Exists"), DOES_NOT_EXIST("DoesNotExist");

        private final String text;

        Operator(String text) {
            this.text = text;
        }

        public static Operator parse(String text) {
            for (Operator op : values()) {
                if (op.text.equals(text)) {
                    return op;
                }
            }
            throw new IllegalArgumentException("'" + text + "' is not an operator (expected: In, NotIn, Exists or DoesNotExist)");
        }

        /** Whether the operator takes values (In, NotIn) or must have none (Exists, DoesNotExist). */
        public boolean takesValues() {
            return this == IN || this == NOT_IN;
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
