package dev.aimesh.core.resource;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import dev.aimesh.core.config.Position;
import dev.aimesh.core.identity.TrustDomain;

/** Mesh-wide settings; at most one per configuration. */
public record Mesh(ObjectMeta metadata, Position position, TrustDomain trustDomain, Certificates certificates,
        Authorization authorization) implements Resource {
    public static final ResourceType TYPE = new ResourceType("aimesh.dev/v1alpha1", "Mesh");
    public static final TrustDomain DEFAULT_TRUST_DOMAIN = TrustDomain.parse("cluster.local");

    public Mesh {
        requireNonNull(metadata, "metadata");
        requireNonNull(position, "position");
        requireNonNull(trustDomain, "trustDomain");
        requireNonNull(certificates, "certificates");
        requireNonNull(authorization, "authorization");
    }

    /** The settings in force when the config has no Mesh resource. */
    public static Mesh defaults() {
        return new Mesh(ObjectMeta.of("default", ObjectMeta.DEFAULT_NAMESPACE), Position.unknown("<defaults>"),
                DEFAULT_TRUST_DOMAIN, Certificates.DEFAULTS, Authorization.DEFAULTS);
    }

    @Override
    public ResourceType type() {
        return TYPE;
    }

    /**
     * Certificate lifetimes. Workload SVIDs are renewed at half their lifetime; a root lives much
     * longer and is rotated with an overlap so that both roots are trusted while SVIDs of the old one live.
     */
    public record Certificates(Duration workloadLifetime, Duration rootLifetime) {
        public static final Duration MIN_WORKLOAD_LIFETIME = Duration.ofSeconds(2);
        public static final Duration MAX_WORKLOAD_LIFETIME = Duration.ofDays(30);
        public static final Certificates DEFAULTS = new Certificates(Duration.ofHours(1), Duration.ofDays(365));

        public Certificates {
            requireNonNull(workloadLifetime, "workloadLifetime");
            requireNonNull(rootLifetime, "rootLifetime");
            if (workloadLifetime.compareTo(MIN_WORKLOAD_LIFETIME) < 0 || workloadLifetime.compareTo(MAX_WORKLOAD_LIFETIME) > 0) {
                throw new IllegalArgumentException("workloadLifetime: " + workloadLifetime + " (expected: 2s to 30d)");
            }
            if (rootLifetime.compareTo(workloadLifetime.multipliedBy(2)) < 0) {
                throw new IllegalArgumentException("rootLifetime: " + rootLifetime
                        + " (expected: at least twice workloadLifetime)");
            }
        }
    }

    /**
     * How authorization policies apply: the namespace whose policies apply mesh-wide (Istio's default,
     * {@code istio-system}), and whether a workload no ALLOW policy applies to is closed (default-deny)
     * rather than open, as it is in Istio.
     */
    public record Authorization(String rootNamespace, boolean defaultDeny) {
        public static final Authorization DEFAULTS = new Authorization("istio-system", false);

        public Authorization {
            requireNonNull(rootNamespace, "rootNamespace");
        }
    }
}
