package dev.aimesh.core.resource;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import dev.aimesh.core.config.MappingReader;
import dev.aimesh.core.config.Position;
import dev.aimesh.core.identity.TrustDomain;

/** The kinds aimesh understands, by {@code apiVersion} and {@code kind}. */
final class ResourceDecoders {
    private static final Map<ResourceType, ResourceDecoder> DECODERS = Map.of(
            Mesh.TYPE, ResourceDecoders::mesh,
            Workload.TYPE, ResourceDecoders::workload);

    private ResourceDecoders() {}

    static Optional<ResourceDecoder> forType(ResourceType type) {
        return Optional.ofNullable(DECODERS.get(type));
    }

    static String knownTypes() {
        return DECODERS.keySet().stream().map(ResourceType::toString).sorted().reduce((a, b) -> a + ", " + b).orElse("");
    }

    private static Optional<Resource> workload(ObjectMeta metadata, Position position, MappingReader spec) {
        String serviceAccount = spec.value("serviceAccount", Names::requireSubdomain).orElse(metadata.name());
        spec.finish();
        return Optional.of(new Workload(metadata, position, serviceAccount));
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
        spec.finish();
        return Optional.of(new Mesh(metadata, position, trustDomain, new Mesh.Certificates(workloadLifetime, rootLifetime)));
    }
}
