package dev.aimesh.identity.jwt;

import java.util.Arrays;
import java.util.Optional;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.KeyType;

/**
 * The JWS algorithms a token may use, the asymmetric ones Envoy's jwt_authn accepts, each with the key
 * type (and curve) its key must have. {@code none} and HMAC are absent on purpose: a verifier that takes
 * HS256 can be handed a token "signed" with the issuer's public key as the secret.
 */
enum AcceptedAlgorithm {
    RS256(KeyType.RSA, null), RS384(KeyType.RSA, null), RS512(KeyType.RSA, null),
    PS256(KeyType.RSA, null), PS384(KeyType.RSA, null), PS512(KeyType.RSA, null),
    ES256(KeyType.EC, Curve.P_256), ES384(KeyType.EC, Curve.P_384), ES512(KeyType.EC, Curve.P_521),
    EdDSA(KeyType.OKP, Curve.Ed25519);

    final KeyType keyType;
    /** The one curve the key must be on; null for RSA. */
    final Curve curve;

    AcceptedAlgorithm(KeyType keyType, Curve curve) {
        this.keyType = keyType;
        this.curve = curve;
    }

    /** Exact, case-sensitive match: JOSE algorithm names are case-sensitive ("NONE" is not "none"). */
    static Optional<AcceptedAlgorithm> named(String alg) {
        return Arrays.stream(values()).filter(a -> a.name().equals(alg)).findFirst();
    }
}
