package dev.aimesh.controlplane.grpc;

import dev.aimesh.core.registry.ConfigSnapshot;
import dev.aimesh.identity.x509.TrustBundle;

/** What the gRPC services need to know of the mesh right now: the snapshot to push and the trust bundle. */
public interface MeshView {
    ConfigSnapshot snapshot();

    TrustBundle bundle();

    String trustDomain();
}
