package dev.aimesh.core.resource;

import static java.util.Objects.requireNonNull;

import dev.aimesh.core.config.Position;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.identity.TrustDomain;

/**
 * A service in the mesh, in local mode: its identity is
 * {@code spiffe://<trust-domain>/ns/<namespace>/sa/<serviceAccount>}.
 */
public record Workload(ObjectMeta metadata, Position position, String serviceAccount) implements Resource {
    public static final ResourceType TYPE = new ResourceType("aimesh.dev/v1alpha1", "Workload");

    public Workload {
        requireNonNull(metadata, "metadata");
        requireNonNull(position, "position");
        requireNonNull(serviceAccount, "serviceAccount");
    }

    @Override
    public ResourceType type() {
        return TYPE;
    }

    public String name() {
        return metadata.name();
    }

    public String namespace() {
        return metadata.namespace();
    }

    public SpiffeId spiffeId(TrustDomain trustDomain) {
        return SpiffeId.forWorkload(trustDomain, metadata.namespace(), serviceAccount);
    }
}
