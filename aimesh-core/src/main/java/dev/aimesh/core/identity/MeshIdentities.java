package dev.aimesh.core.identity;

/** Identities the mesh itself uses. */
public final class MeshIdentities {
    /** The namespace of aimesh's own components. */
    public static final String SYSTEM_NAMESPACE = "aimesh-system";

    private MeshIdentities() {}

    /** The control plane's SPIFFE ID, which every proxy expects when it dials the control plane. */
    public static SpiffeId controlPlane(TrustDomain trustDomain) {
        return SpiffeId.forWorkload(trustDomain, SYSTEM_NAMESPACE, "aimesh-control-plane");
    }
}
