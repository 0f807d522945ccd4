package dev.aimesh.api;

import static dev.aimesh.api.ProtoFields.duration;
import static dev.aimesh.api.ProtoFields.metadata;
import static dev.aimesh.api.ProtoFields.position;

import java.util.Optional;
import dev.aimesh.api.v1.Resource;
import dev.aimesh.core.identity.TrustDomain;
import dev.aimesh.core.resource.AuthorizationPolicy;
import dev.aimesh.core.resource.DataLossPreventionPolicy;
import dev.aimesh.core.resource.HostPort;
import dev.aimesh.core.resource.Mesh;
import dev.aimesh.core.resource.NetworkPolicy;
import dev.aimesh.core.resource.RateLimitPolicy;
import dev.aimesh.core.resource.PeerAuthentication;
import dev.aimesh.core.resource.RequestAuthentication;
import dev.aimesh.core.resource.Role;
import dev.aimesh.core.resource.RoleBinding;
import dev.aimesh.core.resource.Workload;

/**
 * Converts the typed resources a proxy is sent to and from their messages. Reading a message builds the core
 * record through its own constructor, so a value the record refuses is refused here too, with its message.
 */
public final class ResourceMessages {
    private ResourceMessages() {}

    public static Resource toProto(dev.aimesh.core.resource.Resource resource) {
        Resource.Builder builder = Resource.newBuilder();
        switch (resource) {
            case Mesh m -> builder.setMesh(mesh(m));
            case Workload w -> builder.setWorkload(workload(w));
            case AuthorizationPolicy p -> builder.setAuthorizationPolicy(AuthorizationPolicyMessages.toProto(p));
            case RequestAuthentication r -> builder.setRequestAuthentication(AuthenticationMessages.toProto(r));
            case PeerAuthentication p -> builder.setPeerAuthentication(AuthenticationMessages.toProto(p));
            case NetworkPolicy p -> builder.setNetworkPolicy(NetworkPolicyMessages.toProto(p));
            case DataLossPreventionPolicy p -> builder.setDataLossPreventionPolicy(DataLossPreventionMessages.toProto(p));
            case RateLimitPolicy p -> builder.setRateLimitPolicy(RateLimitMessages.toProto(p));
            case Role r -> throw new IllegalArgumentException(r.displayName() + ": Roles reach proxies compiled into policies");
            case RoleBinding b -> throw new IllegalArgumentException(b.displayName()
                    + ": RoleBindings reach proxies compiled into policies");
        }
        return builder.build();
    }

    /** @throws IllegalArgumentException naming what is wrong, or the kind this build does not know */
    public static dev.aimesh.core.resource.Resource fromProto(Resource message) {
        return switch (message.getKindCase()) {
            case MESH -> mesh(message.getMesh());
            case WORKLOAD -> workload(message.getWorkload());
            case AUTHORIZATION_POLICY -> AuthorizationPolicyMessages.fromProto(message.getAuthorizationPolicy());
            case REQUEST_AUTHENTICATION -> AuthenticationMessages.fromProto(message.getRequestAuthentication());
            case PEER_AUTHENTICATION -> AuthenticationMessages.fromProto(message.getPeerAuthentication());
            case NETWORK_POLICY -> NetworkPolicyMessages.fromProto(message.getNetworkPolicy());
            case DATA_LOSS_PREVENTION_POLICY -> DataLossPreventionMessages.fromProto(message.getDataLossPreventionPolicy());
            case RATE_LIMIT_POLICY -> RateLimitMessages.fromProto(message.getRateLimitPolicy());
            case KIND_NOT_SET -> throw new IllegalArgumentException("a resource of a kind this proxy does not know"
                    + (message.getUnknownFields().asMap().isEmpty() ? " (none set)"
                            : " (field " + message.getUnknownFields().asMap().keySet() + " of aimesh.v1.Resource)")
                    + "; is the control plane newer than the proxy?");
        };
    }

    static dev.aimesh.api.v1.Mesh mesh(Mesh mesh) {
        return dev.aimesh.api.v1.Mesh.newBuilder().setMetadata(metadata(mesh.metadata())).setPosition(position(mesh.position()))
                .setTrustDomain(mesh.trustDomain().name())
                .setWorkloadLifetime(duration(mesh.certificates().workloadLifetime()))
                .setRootLifetime(duration(mesh.certificates().rootLifetime()))
                .setRootNamespace(mesh.authorization().rootNamespace())
                .setDefaultDeny(mesh.authorization().defaultDeny()).build();
    }

    static Mesh mesh(dev.aimesh.api.v1.Mesh mesh) {
        return new Mesh(metadata(mesh.getMetadata()), position(mesh.getPosition()), TrustDomain.parse(mesh.getTrustDomain()),
                new Mesh.Certificates(duration(mesh.getWorkloadLifetime()), duration(mesh.getRootLifetime())),
                new Mesh.Authorization(mesh.getRootNamespace(), mesh.getDefaultDeny()));
    }

    static dev.aimesh.api.v1.Workload workload(Workload workload) {
        var builder = dev.aimesh.api.v1.Workload.newBuilder().setMetadata(metadata(workload.metadata()))
                .setPosition(position(workload.position())).setServiceAccount(workload.serviceAccount());
        workload.inbound().ifPresent(in -> {
            var inbound = dev.aimesh.api.v1.Workload.Inbound.newBuilder().setPort(in.port())
                    .setProtocol(dev.aimesh.api.v1.Workload.UpstreamProtocol.valueOf(in.protocol().name()))
                    .setForwardedPath(dev.aimesh.api.v1.Workload.ForwardedPath.valueOf(in.forwardedPath().name()));
            in.upstream().ifPresent(u -> inbound.setUpstream(dev.aimesh.api.v1.Workload.HostPort.newBuilder()
                    .setHost(u.host()).setPort(u.port())));
            builder.setInbound(inbound);
        });
        workload.outbound().ifPresent(out -> builder.setOutbound(dev.aimesh.api.v1.Workload.Outbound.newBuilder().setPort(out.port())));
        workload.run().ifPresent(run -> builder.setRun(dev.aimesh.api.v1.Workload.Run.newBuilder().setDemoModel(run.demoModel())));
        return builder.build();
    }

    static Workload workload(dev.aimesh.api.v1.Workload workload) {
        Optional<Workload.Inbound> inbound = Optional.empty();
        if (workload.hasInbound()) {
            var in = workload.getInbound();
            Optional<HostPort> upstream = in.hasUpstream()
                    ? Optional.of(new HostPort(in.getUpstream().getHost(), in.getUpstream().getPort())) : Optional.empty();
            inbound = Optional.of(new Workload.Inbound(in.getPort(), upstream, protocol(in.getProtocolValue()),
                    forwardedPath(in.getForwardedPathValue())));
        }
        Optional<Workload.Outbound> outbound = workload.hasOutbound()
                ? Optional.of(new Workload.Outbound(workload.getOutbound().getPort())) : Optional.empty();
        Optional<Workload.Run> run = workload.hasRun() ? Optional.of(new Workload.Run(workload.getRun().getDemoModel()))
                : Optional.empty();
        return new Workload(metadata(workload.getMetadata()), position(workload.getPosition()), workload.getServiceAccount(),
                inbound, outbound, run);
    }

    private static Workload.UpstreamProtocol protocol(int value) {
        return switch (value) {
            case dev.aimesh.api.v1.Workload.UpstreamProtocol.HTTP_VALUE -> Workload.UpstreamProtocol.HTTP;
            case dev.aimesh.api.v1.Workload.UpstreamProtocol.H2C_VALUE -> Workload.UpstreamProtocol.H2C;
            default -> throw ProtoFields.unknown("inbound.protocol", value, "HTTP or H2C");
        };
    }

    private static Workload.ForwardedPath forwardedPath(int value) {
        return switch (value) {
            case dev.aimesh.api.v1.Workload.ForwardedPath.NORMALIZED_VALUE -> Workload.ForwardedPath.NORMALIZED;
            case dev.aimesh.api.v1.Workload.ForwardedPath.RAW_VALUE -> Workload.ForwardedPath.RAW;
            default -> throw ProtoFields.unknown("inbound.forwardedPath", value, "NORMALIZED or RAW");
        };
    }
}
