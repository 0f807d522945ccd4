package dev.aimesh.identity.ca;

import static java.util.Objects.requireNonNull;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * A CA's signing key with its certificate chain: the signing certificate first, the root last. For a
 * generated root the chain is just the root.
 */
public record CaCredential(PrivateKey key, List<X509Certificate> chain) {
    public CaCredential {
        requireNonNull(key, "key");
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("chain: empty (expected: signing certificate first, root last)");
        }
    }

    public X509Certificate signingCertificate() {
        return chain.get(0);
    }

    public X509Certificate root() {
        return chain.get(chain.size() - 1);
    }

    /** The certificates an SVID carries after its leaf: the signer and any intermediates, not the root. */
    public List<X509Certificate> intermediates() {
        return chain.size() == 1 ? List.of() : chain.subList(0, chain.size() - 1);
    }

    public Instant notAfter() {
        return signingCertificate().getNotAfter().toInstant();
    }
}
