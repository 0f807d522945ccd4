package dev.aimesh.core.authz;

import java.util.List;

/**
 * A {@code when} entry: the key's value must match one of {@code values} (when any are given) and none of
 * {@code notValues}. An attribute the request lacks matches no value, so it passes a {@code notValues}-only
 * condition, as in Istio.
 */
public record Condition(ConditionKey key, List<String> values, List<RequestTest> valueTests, List<String> notValues,
        List<RequestTest> notValueTests) implements RequestTest {
    public Condition {
        values = List.copyOf(values);
        valueTests = List.copyOf(valueTests);
        notValues = List.copyOf(notValues);
        notValueTests = List.copyOf(notValueTests);
    }

    @Override
    public boolean test(AuthzRequest request) {
        return (valueTests.isEmpty() || Tests.any(valueTests, request)) && !Tests.any(notValueTests, request);
    }
}
