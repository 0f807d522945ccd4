package dev.aimesh.identity.jwt;

import static java.util.Objects.requireNonNull;

import java.util.List;
import com.nimbusds.jose.jwk.JWKSet;

/**
 * One trusted issuer of a RequestAuthentication: tokens whose {@code iss} is {@link #issuer()} are checked
 * against the keys of {@link #keys()}, and, when {@link #audiences()} is not empty, must carry one of them
 * in {@code aud}. An empty audience list accepts any audience, as Istio's {@code audiences} does.
 */
public record JwtRule(String issuer, List<String> audiences, KeySource keys) {
    public JwtRule {
        requireNonNull(issuer, "issuer");
        if (issuer.isEmpty()) {
            throw new IllegalArgumentException("issuer: \"\" (expected: not empty)");
        }
        audiences = List.copyOf(requireNonNull(audiences, "audiences"));
        requireNonNull(keys, "keys");
    }

    /** A rule whose keys are a JWKS already parsed, such as one written inline in the policy. */
    public static JwtRule of(String issuer, List<String> audiences, JWKSet jwks) {
        return new JwtRule(issuer, audiences, KeySource.fixed(jwks));
    }
}
