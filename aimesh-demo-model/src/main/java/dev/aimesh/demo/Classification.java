package dev.aimesh.demo;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The classifier's answer: the most likely label, and the probability of every label in the model's label order. */
public record Classification(String label, Map<String, Double> probabilities) {
    public Classification {
        requireNonNull(label, "label");
        probabilities = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(probabilities, "probabilities")));
        if (!probabilities.containsKey(label)) {
            throw new IllegalArgumentException("label: " + label + " (expected: one of " + probabilities.keySet() + ")");
        }
    }

    /** The probability of the chosen label. */
    public double confidence() {
        return probabilities.get(label);
    }
}
