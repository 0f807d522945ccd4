package dev.aimesh.core.resource;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import dev.aimesh.core.config.Position;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.identity.TrustDomain;

/**
 * A service in the mesh. Its identity is {@code spiffe://<trust-domain>/ns/<namespace>/sa/<serviceAccount>}.
 * {@code inbound}: it serves (a model server behind an mTLS listener); {@code outbound}: it calls others
 * through a loopback port; {@code run}: what {@code aimesh up} starts for it.
 */
public record Workload(ObjectMeta metadata, Position position, String serviceAccount, Optional<Inbound> inbound,
        Optional<Outbound> outbound, Optional<Run> run) implements Resource {
    public static final ResourceType TYPE = new ResourceType("aimesh.dev/v1alpha1", "Workload");

    public Workload {
        requireNonNull(metadata, "metadata");
        requireNonNull(position, "position");
        requireNonNull(serviceAccount, "serviceAccount");
        requireNonNull(inbound, "inbound");
        requireNonNull(outbound, "outbound");
        requireNonNull(run, "run");
    }

    /** A workload with an identity and nothing else, as tests and tools make them. */
    public static Workload of(ObjectMeta metadata, String serviceAccount) {
        return new Workload(metadata, Position.unknown("<built>"), serviceAccount, Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    /** How the app behind the inbound proxy speaks. */
    public enum UpstreamProtocol {
        /** HTTP/1.1, keep-alive. */
        HTTP,
        /** HTTP/2 without TLS, with prior knowledge: gRPC servers. */
        H2C
    }

    /** Which path the model server is sent: the one policy decided on (the default), or the one that came. */
    public enum ForwardedPath {
        /** The normalized path (dots resolved, slashes merged, unreserved escapes decoded) and the query as it came. */
        NORMALIZED,
        /** The request target exactly as the caller sent it, for a server that needs its own escapes or dots. */
        RAW
    }

    /**
     * The inbound listener: {@code port} (0: any free port) and the model server it forwards to; the
     * upstream may be absent when {@code run} starts the server and wires it.
     */
    public record Inbound(int port, Optional<HostPort> upstream, UpstreamProtocol protocol, ForwardedPath forwardedPath) {
        public Inbound(int port, Optional<HostPort> upstream, UpstreamProtocol protocol) {
            this(port, upstream, protocol, ForwardedPath.NORMALIZED);
        }
    }

    /** The loopback port the workload's app sends its calls to (0: any free port). */
    public record Outbound(int port) {}

    /** What {@code aimesh up} starts: the built-in demo model, serving {@code demoModel} by that name. */
    public record Run(String demoModel) {}

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
