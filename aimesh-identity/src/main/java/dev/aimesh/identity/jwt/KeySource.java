package dev.aimesh.identity.jwt;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.jwk.JWKSet;

/**
 * Where a rule's verification keys come from. The validator asks once per token and never blocks, so a
 * fetching implementation (the proxy's {@code jwksUri} cache) returns what it holds now and refreshes
 * elsewhere.
 */
@FunctionalInterface
public interface KeySource {
    /** The key set to verify with now; null (nothing fetched yet) refuses the issuer's tokens. */
    JWKSet current();

    static KeySource fixed(JWKSet jwks) {
        requireNonNull(jwks, "jwks");
        return () -> jwks;
    }
}
