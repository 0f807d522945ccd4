package dev.aimesh.identity.x509;

import static java.util.Objects.requireNonNull;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import dev.aimesh.core.identity.SpiffeId;

/**
 * A workload's X.509-SVID: its private key and its certificate chain (leaf first, then any
 * intermediates; never the root, which comes from the trust bundle).
 */
public record X509Svid(SpiffeId id, PrivateKey privateKey, List<X509Certificate> chain) {
    public X509Svid {
        requireNonNull(id, "id");
        requireNonNull(privateKey, "privateKey");
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("chain: empty (expected: the leaf certificate first)");
        }
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }

    public Instant notBefore() {
        return leaf().getNotBefore().toInstant();
    }

    public Instant expiresAt() {
        return leaf().getNotAfter().toInstant();
    }

    /** When renewal is due: half-way through the lifetime. */
    public Instant renewAt() {
        Duration lifetime = Duration.between(notBefore(), expiresAt());
        return notBefore().plus(lifetime.dividedBy(2));
    }
}
