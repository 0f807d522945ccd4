package dev.aimesh.identity.ca;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import dev.aimesh.identity.x509.TrustBundle;

/**
 * Everything the CA must remember across restarts: its signing authorities by id, which one signs,
 * which roots the bundle holds, any rotation in progress and the revoked serials. Immutable.
 */
public record CaState(Map<String, CaCredential> authorities, String signingId, List<String> bundleIds,
        long bundleVersion, Optional<RootRotation> rotation, Set<BigInteger> revoked) {
    public CaState {
        authorities = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(authorities));
        requireNonNull(signingId, "signingId");
        bundleIds = List.copyOf(bundleIds);
        requireNonNull(rotation, "rotation");
        revoked = Set.copyOf(revoked);
        if (!authorities.containsKey(signingId)) {
            throw new IllegalArgumentException("signingId: " + signingId + " (expected: one of " + authorities.keySet() + ")");
        }
        for (String id : bundleIds) {
            if (!authorities.containsKey(id)) {
                throw new IllegalArgumentException("bundle: " + id + " (expected: one of " + authorities.keySet() + ")");
            }
        }
    }

    public CaCredential signing() {
        return authorities.get(signingId);
    }

    public TrustBundle bundle() {
        List<X509Certificate> roots = bundleIds.stream().map(id -> authorities.get(id).root()).distinct().toList();
        return new TrustBundle(bundleVersion, roots);
    }

    CaState withRevoked(BigInteger serial) {
        Set<BigInteger> more = new java.util.HashSet<>(revoked);
        more.add(serial);
        return new CaState(authorities, signingId, bundleIds, bundleVersion, rotation, more);
    }
}
