package dev.aimesh.core.resource;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import dev.aimesh.core.config.Position;

/**
 * Istio's {@code PeerAuthentication} ({@code security.istio.io/v1} and {@code v1beta1}), validated: whether
 * the selected workloads accept plain text, mutual TLS or both. How policies of the mesh, a namespace and a
 * workload combine lives in {@link dev.aimesh.core.peerauthn.PeerAuthentications}.
 *
 * @param selector labels a workload must have; empty (also for an empty {@code matchLabels}, as in Istio):
 *     the whole namespace, or the whole mesh in the root namespace
 * @param mode {@code mtls.mode}; {@link MtlsMode#UNSET} when absent
 * @param portModes {@code portLevelMtls}, by port number; only with a selector
 */
public record PeerAuthentication(ObjectMeta metadata, Position position, Optional<Map<String, String>> selector,
        MtlsMode mode, Map<Integer, MtlsMode> portModes) implements Resource {
    public static final ResourceType TYPE = new ResourceType("security.istio.io/v1", "PeerAuthentication");
    public static final ResourceType TYPE_V1BETA1 = new ResourceType("security.istio.io/v1beta1", "PeerAuthentication");

    public PeerAuthentication {
        requireNonNull(metadata, "metadata");
        requireNonNull(position, "position");
        selector = selector.map(Map::copyOf);
        requireNonNull(mode, "mode");
        portModes = Collections.unmodifiableMap(new TreeMap<>(portModes));
    }

    @Override
    public ResourceType type() {
        return TYPE;
    }

    /** {@code namespace/name}, as resolutions name the policy. */
    public String ref() {
        return metadata.namespace() + "/" + metadata.name();
    }

    /** Istio's modes; UNSET inherits the mode of the next broader scope. */
    public enum MtlsMode {
        UNSET, DISABLE, PERMISSIVE, STRICT;

        static MtlsMode parse(String text) {
            for (MtlsMode mode : values()) {
                if (mode.name().equals(text)) {
                    return mode;
                }
            }
            throw new IllegalArgumentException("'" + text + "' is not an mTLS mode (expected: UNSET, DISABLE, PERMISSIVE or STRICT)");
        }
    }
}
