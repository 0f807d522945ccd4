package dev.aimesh.core.authz;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@code when} entry: the key's value must match one of {@code values} (when any are given) and none of
 * {@code notValues}. An attribute the request lacks matches no value, so it passes a {@code notValues}-only
 * condition, as in Istio. Two conditions are equal when their key and written values are: the tests are
 * made from those.
 */
public record Condition(ConditionKey key, List<String> values, List<RequestTest> valueTests, List<String> notValues,
        List<RequestTest> notValueTests) implements RequestTest {
    public Condition {
        values = List.copyOf(values);
        valueTests = List.copyOf(valueTests);
        notValues = List.copyOf(notValues);
        notValueTests = List.copyOf(notValueTests);
    }

    /** The condition {@code key} makes of written values; an {@link IllegalArgumentException} names a value it refuses. */
    public static Condition of(ConditionKey key, List<String> values, List<String> notValues) {
        return new Condition(key, values, tests(key, values), notValues, tests(key, notValues));
    }

    private static List<RequestTest> tests(ConditionKey key, List<String> values) {
        List<RequestTest> tests = new ArrayList<>(values.size());
        for (String value : values) {
            tests.add(key.value(value));
        }
        return tests;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Condition c && key.equals(c.key) && values.equals(c.values) && notValues.equals(c.notValues);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(key, values, notValues);
    }

    @Override
    public String toString() {
        return "Condition[" + key + ", values=" + values + ", notValues=" + notValues + "]";
    }

    @Override
    public boolean test(AuthzRequest request) {
        return (valueTests.isEmpty() || Tests.any(valueTests, request)) && !Tests.any(notValueTests, request);
    }
}
