package dev.aimesh.core.resource;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import dev.aimesh.core.authz.StringMatch;
import dev.aimesh.core.config.Position;

/**
 * Gives a {@link Role} of the same namespace to callers ({@code aimesh.dev/v1alpha1}), on the workloads of
 * the namespace that carry {@code selector}'s labels (all of them when there is none).
 */
public record RoleBinding(ObjectMeta metadata, Position position, String role, List<Subject> subjects,
        Optional<Map<String, String>> selector) implements Resource {
    public static final ResourceType TYPE = new ResourceType("aimesh.dev/v1alpha1", "RoleBinding");

    public RoleBinding {
        requireNonNull(metadata, "metadata");
        requireNonNull(position, "position");
        requireNonNull(role, "role");
        subjects = List.copyOf(subjects);
        selector = selector.map(Map::copyOf);
    }

    @Override
    public ResourceType type() {
        return TYPE;
    }

    /** Who gets the role: a workload identity, a whole namespace, an end user, or a JWT claim's value. */
    public sealed interface Subject {
        record Principal(StringMatch principal) implements Subject {}

        record Namespace(StringMatch namespace) implements Subject {}

        record RequestPrincipal(StringMatch requestPrincipal) implements Subject {}

        record Claim(String name, List<String> values) implements Subject {
            public Claim {
                values = List.copyOf(values);
            }
        }
    }
}
