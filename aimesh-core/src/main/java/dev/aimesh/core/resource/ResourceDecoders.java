package dev.aimesh.core.resource;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import dev.aimesh.core.config.MappingReader;
import dev.aimesh.core.config.Position;
import dev.aimesh.core.identity.TrustDomain;

/** The kinds aimesh understands, by {@code apiVersion} and {@code kind}. */
final class ResourceDecoders {
    private static final Map<ResourceType, ResourceDecoder> DECODERS = Map.ofEntries(
            Map.entry(Mesh.TYPE, ResourceDecoders::mesh),
            Map.entry(Workload.TYPE, ResourceDecoders::workload),
            Map.entry(AuthorizationPolicy.TYPE, AuthorizationPolicyDecoder::decode),
            Map.entry(AuthorizationPolicy.TYPE_V1BETA1, AuthorizationPolicyDecoder::decode),
            Map.entry(RequestAuthentication.TYPE, RequestAuthenticationDecoder::decode),
            Map.entry(RequestAuthentication.TYPE_V1BETA1, RequestAuthenticationDecoder::decode),
            Map.entry(PeerAuthentication.TYPE, PeerAuthenticationDecoder::decode),
            Map.entry(PeerAuthentication.TYPE_V1BETA1, PeerAuthenticationDecoder::decode),
            Map.entry(NetworkPolicy.TYPE, NetworkPolicyDecoder::decode),
            Map.entry(DataLossPreventionPolicy.TYPE, DataLossPreventionPolicyDecoder::decode),
            Map.entry(RateLimitPolicy.TYPE, RateLimitPolicyDecoder::decode),
            Map.entry(Role.TYPE, RoleDecoders::role),
            Map.entry(RoleBinding.TYPE, RoleDecoders::binding));

    private ResourceDecoders() {}

    static Optional<ResourceDecoder> forType(ResourceType type) {
        return Optional.ofNullable(DECODERS.get(type));
    }

    static String knownTypes() {
        return DECODERS.keySet().stream().map(ResourceType::toString).sorted().reduce((a, b) -> a + ", " + b).orElse("");
    }

    private static Optional<Resource> workload(ObjectMeta metadata, Position position, MappingReader spec) {
        String serviceAccount = spec.value("serviceAccount", Names::requireSubdomain).orElse(metadata.name());
        Optional<Workload.Run> run = spec.mapping("run").map(r -> {
            String model = r.requiredString("demoModel").orElse("");
            r.finish();
            return new Workload.Run(model);
        });
        Optional<Workload.Inbound> inbound = spec.mapping("inbound").map(in -> {
            int port = in.integer("port", 0, 65535).orElse(0);
            Optional<HostPort> upstream = in.value("upstream", HostPort::parse);
            Workload.UpstreamProtocol protocol = in.value("protocol", ResourceDecoders::upstreamProtocol)
                    .orElse(Workload.UpstreamProtocol.HTTP);
            Workload.ForwardedPath forwardedPath = in.value("forwardedPath", ResourceDecoders::forwardedPath)
                    .orElse(Workload.ForwardedPath.NORMALIZED);
            if (upstream.isEmpty() && run.isEmpty() && !in.has("upstream")) {
                in.error("upstream", "is required (host:port of the model server), unless spec.run starts one");
            }
            in.finish();
            return new Workload.Inbound(port, upstream, protocol, forwardedPath);
        });
        Optional<Workload.Outbound> outbound = spec.mapping("outbound").map(out -> {
            int port = out.integer("port", 0, 65535).orElse(0);
            out.finish();
            return new Workload.Outbound(port);
        });
        if (run.isPresent() && inbound.isEmpty()) {
            spec.error("run", "a demo model needs spec.inbound to be reached through the mesh");
        }
        spec.finish();
        return Optional.of(new Workload(metadata, position, serviceAccount, inbound, outbound, run));
    }

    private static Workload.ForwardedPath forwardedPath(String text) {
        return switch (text) {
            case "normalized" -> Workload.ForwardedPath.NORMALIZED;
            case "raw" -> Workload.ForwardedPath.RAW;
            default -> throw new IllegalArgumentException("'" + text + "' is not a forwarded path (expected: normalized, the"
                    + " path policy decided on, or raw, the path as the caller sent it)");
        };
    }

    private static Workload.UpstreamProtocol upstreamProtocol(String text) {
        return switch (text) {
            case "http" -> Workload.UpstreamProtocol.HTTP;
            case "h2c", "grpc" -> Workload.UpstreamProtocol.H2C;
            default -> throw new IllegalArgumentException("'" + text + "' is not an upstream protocol (expected: http, h2c or grpc)");
        };
    }

    private static Optional<Resource> mesh(ObjectMeta metadata, Position position, MappingReader spec) {
        TrustDomain trustDomain = spec.value("trustDomain", TrustDomain::parse).orElse(Mesh.DEFAULT_TRUST_DOMAIN);
        Mesh.Certificates defaults = Mesh.Certificates.DEFAULTS;
        Duration workloadLifetime = defaults.workloadLifetime();
        Duration rootLifetime = defaults.rootLifetime();
        Optional<MappingReader> certificates = spec.mapping("certificates");
        if (certificates.isPresent()) {
            MappingReader c = certificates.get();
            workloadLifetime = c.duration("workloadLifetime", Mesh.Certificates.MIN_WORKLOAD_LIFETIME,
                    Mesh.Certificates.MAX_WORKLOAD_LIFETIME).orElse(workloadLifetime);
            rootLifetime = c.duration("rootLifetime", Duration.ofMinutes(1), Duration.ofDays(365 * 20))
                    .orElse(rootLifetime);
            if (rootLifetime.compareTo(workloadLifetime.multipliedBy(2)) < 0) {
                c.error("rootLifetime", "must be at least twice workloadLifetime");
                rootLifetime = workloadLifetime.multipliedBy(2);
            }
            c.finish();
        }
        Mesh.Authorization authorization = spec.mapping("authorization").map(a -> {
            String root = a.value("rootNamespace", Names::requireLabel).orElse(Mesh.Authorization.DEFAULTS.rootNamespace());
            boolean deny = a.value("defaultAction", text -> switch (text) {
                case "ALLOW" -> false;
                case "DENY" -> true;
                default -> throw new IllegalArgumentException("'" + text + "' is not ALLOW or DENY");
            }).orElse(false);
            a.finish();
            return new Mesh.Authorization(root, deny);
        }).orElse(Mesh.Authorization.DEFAULTS);
        spec.finish();
        return Optional.of(new Mesh(metadata, position, trustDomain, new Mesh.Certificates(workloadLifetime, rootLifetime),
                authorization));
    }
}
