package dev.aimesh.core.resource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import dev.aimesh.core.config.MappingReader;
import dev.aimesh.core.netpol.LabelSelector;
import dev.aimesh.core.netpol.LabelSelector.Operator;
import dev.aimesh.core.netpol.LabelSelector.Requirement;

/** Decodes a Kubernetes label selector ({@code matchLabels}, {@code matchExpressions}). */
final class LabelSelectorDecoder {
    private LabelSelectorDecoder() {}

    /**
     * Istio's {@code selector: {matchLabels: ...}} of {@code spec}: empty when absent, and for an empty
     * {@code matchLabels} too (Istio reads that as no selector).
     */
    static Optional<Map<String, String>> istioSelector(MappingReader spec) {
        return spec.mapping("selector").map(s -> {
            Map<String, String> labels = s.stringMap("matchLabels");
            s.finish();
            return labels;
        }).filter(labels -> !labels.isEmpty());
    }

    static LabelSelector decode(MappingReader selector) {
        Map<String, String> labels = selector.stringMap("matchLabels");
        List<Requirement> requirements = new ArrayList<>();
        for (MappingReader.Item item : selector.list("matchExpressions")) {
            item.mapping(selector.diagnostics()).flatMap(LabelSelectorDecoder::requirement).ifPresent(requirements::add);
        }
        selector.finish();
        return new LabelSelector(labels, requirements);
    }

    private static Optional<Requirement> requirement(MappingReader e) {
        Optional<String> key = e.requiredString("key");
        if (!e.has("operator")) {
            e.requiredString("operator");
        }
        Optional<Operator> operator = e.value("operator", Operator::parse);
        List<String> values = e.stringList("values");
        operator.ifPresent(op -> {
            if (op.takesValues() && values.isEmpty()) {
                e.error("values", "operator " + op + " needs at least one value");
            } else if (!op.takesValues() && !values.isEmpty()) {
                e.error("values", "must be empty for operator " + op);
            }
        });
        e.finish();
        return key.flatMap(k -> operator.map(op -> new Requirement(k, op, Set.copyOf(values))));
    }
}
