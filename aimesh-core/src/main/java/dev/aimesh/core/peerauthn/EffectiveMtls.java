package dev.aimesh.core.peerauthn;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.Optional;
import dev.aimesh.core.resource.PeerAuthentication.MtlsMode;

/**
 * The mTLS mode in force for one port of one workload, and what decided it, for {@code aimesh analyze} and
 * the proxy's logs.
 *
 * @param mode DISABLE, PERMISSIVE or STRICT, never UNSET
 * @param scope the scope whose policy decided; {@link Scope#DEFAULT} when no policy set a mode
 * @param policy the deciding policy, {@code namespace/name}; empty for the default
 */
public record EffectiveMtls(MtlsMode mode, Scope scope, Optional<String> policy) {
    /**
     * aimesh's default when nothing sets a mode: mTLS required. (Istio's is PERMISSIVE; a zero-trust mesh
     * opens plain text only where a PeerAuthentication says so.)
     */
    static final EffectiveMtls DEFAULT = new EffectiveMtls(MtlsMode.STRICT, Scope.DEFAULT, Optional.empty());

    public EffectiveMtls {
        requireNonNull(mode, "mode");
        requireNonNull(scope, "scope");
        requireNonNull(policy, "policy");
        if (mode == MtlsMode.UNSET) {
            throw new IllegalArgumentException("mode: UNSET (expected: an effective mode)");
        }
    }

    /** From the narrowest scope to the broadest. */
    public enum Scope { PORT, WORKLOAD, NAMESPACE, MESH, DEFAULT }

    /** A line for logs: {@code STRICT by the workload policy models/llm}. */
    public String reason() {
        return policy.map(p -> mode + " by the " + scope.name().toLowerCase(Locale.ROOT) + " policy " + p)
                .orElse(mode + " by default (no PeerAuthentication sets a mode)");
    }
}
