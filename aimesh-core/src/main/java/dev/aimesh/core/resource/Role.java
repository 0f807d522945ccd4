package dev.aimesh.core.resource;

import static java.util.Objects.requireNonNull;

import java.util.List;
import dev.aimesh.core.ai.AiOperation;
import dev.aimesh.core.authz.StringMatch;
import dev.aimesh.core.config.Position;

/**
 * A named set of operations on models ({@code aimesh.dev/v1alpha1}): "infer on sentiment-*", "read and
 * deploy any model". A Role grants nothing alone; a {@link RoleBinding} gives it to callers, and the two
 * are compiled into an ALLOW AuthorizationPolicy.
 *
 * @param rules each grants its operations on its models (no models: any model, or a call that names none)
 */
public record Role(ObjectMeta metadata, Position position, List<Grant> rules) implements Resource {
    public static final ResourceType TYPE = new ResourceType("aimesh.dev/v1alpha1", "Role");

    public Role {
        requireNonNull(metadata, "metadata");
        requireNonNull(position, "position");
        rules = List.copyOf(rules);
    }

    @Override
    public ResourceType type() {
        return TYPE;
    }

    /** Operations (empty: any) on models (empty: any). */
    public record Grant(List<AiOperation> operations, List<StringMatch> models) {
        public Grant {
            operations = List.copyOf(operations);
            models = List.copyOf(models);
        }
    }
}
