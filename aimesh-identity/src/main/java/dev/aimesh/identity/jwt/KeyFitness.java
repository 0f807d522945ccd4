package dev.aimesh.identity.jwt;

import java.math.BigInteger;
import java.util.Optional;
import com.nimbusds.jose.jwk.AsymmetricJWK;
import com.nimbusds.jose.jwk.CurveBasedJWK;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;

/** Whether a JWKS key may verify a token of a given algorithm; the reason when it may not. */
final class KeyFitness {
    /** NIST SP 800-131A; Envoy refuses smaller RSA keys too. */
    static final int MIN_RSA_BITS = 2048;

    private KeyFitness() {}

    static Optional<String> unfitness(JWK key, AcceptedAlgorithm alg) {
        String name = describe(key);
        if (!(key instanceof AsymmetricJWK)) {
            return Optional.of(name + " is a " + key.getKeyType() + " key, not a public key");
        }
        if (!key.getKeyType().equals(alg.keyType)) {
            return Optional.of(name + " is an " + key.getKeyType() + " key, not fit for " + alg);
        }
        if (alg.curve != null && !(key instanceof CurveBasedJWK curved && alg.curve.equals(curved.getCurve()))) {
            return Optional.of(name + " is not on curve " + alg.curve + " as " + alg + " requires");
        }
        // The key's own alg pins it to one algorithm: an RS256 token must not be checked with a PS512 key.
        if (key.getAlgorithm() != null && !key.getAlgorithm().getName().equals(alg.name())) {
            return Optional.of(name + " is for " + key.getAlgorithm().getName() + ", not " + alg);
        }
        if (key.getKeyUse() != null && !key.getKeyUse().equals(KeyUse.SIGNATURE)) {
            return Optional.of(name + " is for use " + key.getKeyUse().identifier() + ", not sig");
        }
        if (key.getKeyOperations() != null && !key.getKeyOperations().contains(KeyOperation.VERIFY)) {
            return Optional.of(name + " may not verify (key_ops " + key.getKeyOperations() + ")");
        }
        if (key instanceof RSAKey rsa) {
            return rsaUnfitness(name, rsa);
        }
        return Optional.empty();
    }

    private static Optional<String> rsaUnfitness(String name, RSAKey rsa) {
        BigInteger n = rsa.getModulus().decodeToBigInteger();
        BigInteger e = rsa.getPublicExponent().decodeToBigInteger();
        if (n.bitLength() < MIN_RSA_BITS) {
            return Optional.of(name + " has " + n.bitLength() + " bits (expected: >= " + MIN_RSA_BITS + ")");
        }
        if (e.compareTo(BigInteger.valueOf(3)) < 0 || !e.testBit(0)) {
            return Optional.of(name + " has public exponent " + e + " (expected: odd, >= 3)");
        }
        if (RocaFingerprint.matches(n)) {
            return Optional.of(name + " is a weak ROCA key (CVE-2017-15361)");
        }
        return Optional.empty();
    }

    static String describe(JWK key) {
        return key.getKeyID() == null ? "key without kid" : "key " + key.getKeyID();
    }
}
