package dev.aimesh.api;

import static dev.aimesh.api.ProtoFields.metadata;
import static dev.aimesh.api.ProtoFields.position;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import dev.aimesh.core.ai.AiOperation;
import dev.aimesh.core.resource.RateLimitPolicy;
import dev.aimesh.core.resource.RateLimitPolicy.KeyPart;
import dev.aimesh.core.resource.RateLimitPolicy.Limit;
import dev.aimesh.core.resource.RateLimitPolicy.Unit;
import dev.aimesh.core.resource.RateLimitPolicy.When;

/** {@link RateLimitPolicy} to and from its message; operations are written sorted, so equal policies make equal bytes. */
final class RateLimitMessages {
    private RateLimitMessages() {}

    static dev.aimesh.api.v1.RateLimitPolicy toProto(RateLimitPolicy policy) {
        var builder = dev.aimesh.api.v1.RateLimitPolicy.newBuilder().setMetadata(metadata(policy.metadata()))
                .setPosition(position(policy.position()));
        policy.selector().ifPresent(s -> builder.setSelector(ProtoFields.labels(s)));
        for (Limit limit : policy.limits()) {
            var l = dev.aimesh.api.v1.RateLimitPolicy.Limit.newBuilder().setName(limit.name())
                    .setUnit(dev.aimesh.api.v1.RateLimitPolicy.Unit.valueOf(limit.unit().name()))
                    .setAmount(limit.amount()).setWindowSeconds(limit.window().toSeconds())
                    .addAllNamespaces(limit.when().namespaces()).addAllModels(limit.when().models());
            limit.by().forEach(part -> l.addBy(part.key()));
            limit.when().principals().forEach(p -> l.addPrincipals(ProtoFields.match(p)));
            limit.when().operations().stream().sorted().forEach(o -> l.addOperations(o.key()));
            builder.addLimits(l);
        }
        return builder.build();
    }

    static RateLimitPolicy fromProto(dev.aimesh.api.v1.RateLimitPolicy message) {
        List<Limit> limits = new ArrayList<>();
        for (var l : message.getLimitsList()) {
            Unit unit = switch (l.getUnitValue()) {
                case dev.aimesh.api.v1.RateLimitPolicy.Unit.REQUESTS_VALUE -> Unit.REQUESTS;
                case dev.aimesh.api.v1.RateLimitPolicy.Unit.TOKENS_VALUE -> Unit.TOKENS;
                default -> throw ProtoFields.unknown("limits.unit", l.getUnitValue(), "REQUESTS or TOKENS");
            };
            List<KeyPart> by = l.getByList().stream().map(RateLimitMessages::keyPart).toList();
            Set<AiOperation> operations = EnumSet.noneOf(AiOperation.class);
            for (String key : l.getOperationsList()) {
                operations.add(AiOperation.of(key).orElseThrow(() -> new IllegalArgumentException(
                        "limits.operations: '" + key + "' is not an operation this proxy knows; is the control plane newer?")));
            }
            When when = new When(l.getPrincipalsList().stream().map(ProtoFields::match).toList(), l.getNamespacesList(),
                    l.getModelsList(), operations);
            limits.add(new Limit(l.getName(), unit, l.getAmount(), Duration.ofSeconds(l.getWindowSeconds()), by, when));
        }
        return new RateLimitPolicy(metadata(message.getMetadata()), position(message.getPosition()),
                ProtoFields.selector(message.hasSelector(), message.getSelector()), limits);
    }

    private static KeyPart keyPart(String key) {
        return KeyPart.parse(key).orElseThrow(() -> new IllegalArgumentException("limits.by: '" + key + "' is not a key"
                + " part this proxy knows; is the control plane newer?"));
    }
}
