package dev.aimesh.core.resource;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import dev.aimesh.core.authz.PrincipalPattern;
import dev.aimesh.core.authz.StringMatch;
import dev.aimesh.core.config.MappingReader;
import dev.aimesh.core.config.Position;
import dev.aimesh.core.dlp.Detector;
import dev.aimesh.core.dlp.DlpAction;
import dev.aimesh.core.resource.DataLossPreventionPolicy.Callers;
import dev.aimesh.core.resource.DataLossPreventionPolicy.Direction;
import dev.aimesh.core.resource.DataLossPreventionPolicy.Inspection;
import dev.aimesh.core.resource.DataLossPreventionPolicy.OverLimit;
import dev.aimesh.core.resource.DataLossPreventionPolicy.Rule;

/** Decodes and validates a DataLossPreventionPolicy, reporting every problem with its field path. */
final class DataLossPreventionPolicyDecoder {
    private DataLossPreventionPolicyDecoder() {}

    static Optional<Resource> decode(ObjectMeta metadata, Position position, MappingReader spec) {
        Optional<Map<String, String>> selector = LabelSelectorDecoder.istioSelector(spec);
        List<Rule> rules = new ArrayList<>();
        List<MappingReader.Item> items = spec.list("rules");
        for (int i = 0; i < items.size(); i++) {
            int index = i;
            items.get(i).mapping(spec.diagnostics()).flatMap(r -> rule(r, index)).ifPresent(rules::add);
        }
        if (items.isEmpty()) {
            spec.error("rules", "is required: at least one rule (detectors, and the action on what they find)");
        }
        Inspection inspection = spec.mapping("inspection").map(DataLossPreventionPolicyDecoder::inspection)
                .orElse(Inspection.DEFAULTS);
        spec.finish();
        return Optional.of(new DataLossPreventionPolicy(metadata, position, selector, rules, inspection));
    }

    private static Optional<Rule> rule(MappingReader rule, int index) {
        String name = rule.value("name", Names::requireLabel).orElse("rules[" + index + "]");
        Set<Direction> directions = EnumSet.noneOf(Direction.class);
        if (rule.has("direction")) {
            rule.value("direction", DataLossPreventionPolicyDecoder::directions).ifPresent(directions::addAll);
        } else {
            directions.addAll(EnumSet.allOf(Direction.class));
        }
        Set<Detector> detectors = EnumSet.noneOf(Detector.class);
        for (MappingReader.Item item : rule.list("detectors")) {
            rule.convert(item.node(), item.path(), DataLossPreventionPolicyDecoder::detector).ifPresent(detectors::add);
        }
        if (!rule.has("detectors")) {
            rule.error("detectors", "is required: the kinds of data to look for (" + knownDetectors() + ")");
        }
        Optional<DlpAction> action = rule.value("action", DataLossPreventionPolicyDecoder::action);
        if (!rule.has("action")) {
            rule.error("action", "is required (audit, mask, redact or block)");
        }
        Callers callers = rule.mapping("callers").map(DataLossPreventionPolicyDecoder::callers).orElse(Callers.ANY);
        rule.finish();
        if (action.isEmpty() || detectors.isEmpty() || directions.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Rule(name, directions, detectors, action.get(), callers));
    }

    private static Callers callers(MappingReader callers) {
        List<StringMatch> principals = new ArrayList<>();
        for (MappingReader.Item item : callers.list("principals")) {
            callers.convert(item.node(), item.path(), PrincipalPattern::parse).ifPresent(principals::add);
        }
        List<String> namespaces = new ArrayList<>();
        for (MappingReader.Item item : callers.list("namespaces")) {
            callers.convert(item.node(), item.path(), Names::requireLabel).ifPresent(namespaces::add);
        }
        Map<String, String> labels = callers.stringMap("labels");
        callers.finish();
        Callers result = new Callers(principals, namespaces, labels);
        if (!callers.has("principals") && !callers.has("namespaces") && !callers.has("labels")) {
            callers.error("principals", "callers names none: give principals, namespaces or labels (or leave callers out"
                    + " for every caller)");
        }
        return result;
    }

    private static Inspection inspection(MappingReader inspection) {
        long max = inspection.size("maxBodyBytes", 1, Inspection.MAX_BODY_BYTES)
                .orElse((long) Inspection.DEFAULT_MAX_BODY_BYTES);
        OverLimit over = inspection.value("overLimit", text -> switch (text) {
            case "refuse" -> OverLimit.REFUSE;
            case "pass" -> OverLimit.PASS;
            default -> throw new IllegalArgumentException("'" + text + "' is not refuse or pass");
        }).orElse(OverLimit.REFUSE);
        inspection.finish();
        return new Inspection((int) max, over);
    }

    private static Set<Direction> directions(String text) {
        return switch (text) {
            case "request" -> EnumSet.of(Direction.REQUEST);
            case "response" -> EnumSet.of(Direction.RESPONSE);
            case "both" -> EnumSet.allOf(Direction.class);
            default -> throw new IllegalArgumentException("'" + text + "' is not a direction (expected: request, response"
                    + " or both)");
        };
    }

    private static Detector detector(String text) {
        return Detector.of(text).orElseThrow(() -> new IllegalArgumentException("'" + text + "' is not a detector (expected"
                + " one of: " + knownDetectors() + ")"));
    }

    private static String knownDetectors() {
        return String.join(", ", java.util.Arrays.stream(Detector.values()).map(Detector::key).toList());
    }

    private static DlpAction action(String text) {
        return switch (text) {
            case "audit" -> DlpAction.AUDIT;
            case "mask" -> DlpAction.MASK;
            case "redact" -> DlpAction.REDACT;
            case "block" -> DlpAction.BLOCK;
            default -> throw new IllegalArgumentException("'" + text + "' is not an action (expected: audit, mask, redact"
                    + " or block)");
        };
    }
}
