package dev.aimesh.api;

import static dev.aimesh.api.ProtoFields.metadata;
import static dev.aimesh.api.ProtoFields.position;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import dev.aimesh.core.dlp.Detector;
import dev.aimesh.core.dlp.DlpAction;
import dev.aimesh.core.resource.DataLossPreventionPolicy;
import dev.aimesh.core.resource.DataLossPreventionPolicy.Callers;
import dev.aimesh.core.resource.DataLossPreventionPolicy.Direction;
import dev.aimesh.core.resource.DataLossPreventionPolicy.Inspection;
import dev.aimesh.core.resource.DataLossPreventionPolicy.OverLimit;
import dev.aimesh.core.resource.DataLossPreventionPolicy.Rule;

/** {@link DataLossPreventionPolicy} to and from its message; sets are written sorted, so equal policies make equal bytes. */
final class DataLossPreventionMessages {
    private DataLossPreventionMessages() {}

    static dev.aimesh.api.v1.DataLossPreventionPolicy toProto(DataLossPreventionPolicy policy) {
        var builder = dev.aimesh.api.v1.DataLossPreventionPolicy.newBuilder().setMetadata(metadata(policy.metadata()))
                .setPosition(position(policy.position())).setMaxBodyBytes(policy.inspection().maxBodyBytes())
                .setOverLimit(dev.aimesh.api.v1.DataLossPreventionPolicy.OverLimit.valueOf(policy.inspection().overLimit().name()));
        policy.selector().ifPresent(s -> builder.setSelector(ProtoFields.labels(s)));
        for (Rule rule : policy.rules()) {
            var r = dev.aimesh.api.v1.DataLossPreventionPolicy.Rule.newBuilder().setName(rule.name())
                    .setAction(dev.aimesh.api.v1.DataLossPreventionPolicy.Action.valueOf(rule.action().name()));
            rule.directions().stream().sorted()
                    .forEach(d -> r.addDirections(dev.aimesh.api.v1.DataLossPreventionPolicy.Direction.valueOf(d.name())));
            rule.detectors().stream().sorted().forEach(d -> r.addDetectors(d.key()));
            var callers = dev.aimesh.api.v1.DataLossPreventionPolicy.Callers.newBuilder()
                    .addAllNamespaces(rule.callers().namespaces()).putAllLabels(rule.callers().labels());
            rule.callers().principals().forEach(p -> callers.addPrincipals(ProtoFields.match(p)));
            builder.addRules(r.setCallers(callers));
        }
        return builder.build();
    }

    static DataLossPreventionPolicy fromProto(dev.aimesh.api.v1.DataLossPreventionPolicy message) {
        List<Rule> rules = new java.util.ArrayList<>();
        for (var r : message.getRulesList()) {
            Set<Direction> directions = EnumSet.noneOf(Direction.class);
            for (int value : r.getDirectionsValueList()) {
                directions.add(switch (value) {
                    case dev.aimesh.api.v1.DataLossPreventionPolicy.Direction.REQUEST_VALUE -> Direction.REQUEST;
                    case dev.aimesh.api.v1.DataLossPreventionPolicy.Direction.RESPONSE_VALUE -> Direction.RESPONSE;
                    default -> throw ProtoFields.unknown("rules.directions", value, "REQUEST or RESPONSE");
                });
            }
            Set<Detector> detectors = EnumSet.noneOf(Detector.class);
            for (String key : r.getDetectorsList()) {
                detectors.add(Detector.of(key).orElseThrow(() -> new IllegalArgumentException(
                        "rules.detectors: '" + key + "' is not a detector this proxy knows; is the control plane newer?")));
            }
            DlpAction action = switch (r.getActionValue()) {
                case dev.aimesh.api.v1.DataLossPreventionPolicy.Action.AUDIT_VALUE -> DlpAction.AUDIT;
                case dev.aimesh.api.v1.DataLossPreventionPolicy.Action.MASK_VALUE -> DlpAction.MASK;
                case dev.aimesh.api.v1.DataLossPreventionPolicy.Action.REDACT_VALUE -> DlpAction.REDACT;
                case dev.aimesh.api.v1.DataLossPreventionPolicy.Action.BLOCK_VALUE -> DlpAction.BLOCK;
                default -> throw ProtoFields.unknown("rules.action", r.getActionValue(), "AUDIT, MASK, REDACT or BLOCK");
            };
            var c = r.getCallers();
            Callers callers = new Callers(c.getPrincipalsList().stream().map(ProtoFields::match).toList(), c.getNamespacesList(),
                    c.getLabelsMap());
            rules.add(new Rule(r.getName(), directions, detectors, action, callers));
        }
        OverLimit over = switch (message.getOverLimitValue()) {
            case dev.aimesh.api.v1.DataLossPreventionPolicy.OverLimit.REFUSE_VALUE -> OverLimit.REFUSE;
            case dev.aimesh.api.v1.DataLossPreventionPolicy.OverLimit.PASS_VALUE -> OverLimit.PASS;
            default -> throw ProtoFields.unknown("overLimit", message.getOverLimitValue(), "REFUSE or PASS");
        };
        return new DataLossPreventionPolicy(metadata(message.getMetadata()), position(message.getPosition()),
                ProtoFields.selector(message.hasSelector(), message.getSelector()), rules,
                new Inspection(message.getMaxBodyBytes(), over));
    }
}
