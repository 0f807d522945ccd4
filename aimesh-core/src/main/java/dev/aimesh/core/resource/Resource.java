package dev.aimesh.core.resource;

import dev.aimesh.core.config.Position;

/** A decoded, validated configuration resource. */
public sealed interface Resource permits AuthorizationPolicy, DataLossPreventionPolicy, Mesh, NetworkPolicy, PeerAuthentication,
        RateLimitPolicy, RequestAuthentication, Role, RoleBinding, Workload {
    ResourceType type();

    ObjectMeta metadata();

    /** Where the document starts, for messages about the resource as a whole. */
    Position position();

    /** {@code Kind namespace/name}, how messages name a resource. */
    default String displayName() {
        return type().kind() + " " + metadata().namespace() + "/" + metadata().name();
    }

    /** What names the resource in a snapshot and its deltas: one of each kind and {@code namespace/name}. */
    default String key() {
        return displayName();
    }
}
