package dev.aimesh.identity.jwt;

import static java.util.Objects.requireNonNull;

import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;

/**
 * The signature stage of {@link JwtValidator}: the header policy, the choice of key and the signature,
 * without the claims. It is public so that it can be run on its own against JOSE test vectors, whose
 * payloads are not claim sets.
 */
public final class SignatureCheck {

    public sealed interface Result {}

    /** The signature verifies with the JWKS key {@code keyId} (null when the key has no kid). */
    public record Verified(String alg, String keyId) implements Result {}

    public record Refused(String reason) implements Result {}

    private SignatureCheck() {}

    /** Never throws for bad input. */
    public static Result check(String token, JWKSet keys) {
        requireNonNull(keys, "keys");
        try {
            return verify(CompactJws.parse(token), keys);
        } catch (TokenRefused refused) {
            return new Refused(refused.getMessage());
        } catch (RuntimeException e) {
            return new Refused("token is malformed");
        }
    }

    static Verified verify(CompactJws jws, JWKSet keys) throws TokenRefused {
        AcceptedAlgorithm alg = JwsHeaderPolicy.checkAlgorithm(jws.alg());
        JwsHeaderPolicy.checkMembers(jws.header());
        for (JWK key : candidates(keys, alg, jws.kid())) {
            if (signatureVerifies(jws, key)) {
                return new Verified(alg.name(), key.getKeyID());
            }
        }
        throw new TokenRefused("signature does not verify");
    }

    /** Keys the token may be checked with: the one its kid names, or, with no kid, every fit key (as Envoy). */
    private static List<JWK> candidates(JWKSet keys, AcceptedAlgorithm alg, String kid) throws TokenRefused {
        List<JWK> named = kid == null ? keys.getKeys()
                : keys.getKeys().stream().filter(k -> kid.equals(k.getKeyID())).toList();
        if (named.isEmpty()) {
            throw new TokenRefused(kid == null ? "the JWKS has no keys" : "key id " + kid + " not in the JWKS");
        }
        List<JWK> fit = new ArrayList<>();
        List<String> unfit = new ArrayList<>();
        for (JWK key : named) {
            Optional<String> reason = KeyFitness.unfitness(key, alg);
            if (reason.isPresent()) {
                unfit.add(reason.get());
            } else {
                fit.add(key);
            }
        }
        if (fit.isEmpty()) {
            throw new TokenRefused(kid != null ? unfit.getFirst() : "no key in the JWKS is fit for " + alg);
        }
        return fit;
    }

    private static boolean signatureVerifies(CompactJws jws, JWK key) {
        byte[] signingInput = jws.jws().getSigningInput();
        try {
            return switch (key) {
                case OctetKeyPair okp -> Ed25519Verification.verify(okp, signingInput, jws.jws().getSignature().decode());
                case RSAKey rsa -> verifies(new RSASSAVerifier(rsa.toRSAPublicKey()), jws);
                case ECKey ec -> verifies(new ECDSAVerifier(ec), jws);
                default -> false;
            };
        } catch (JOSEException | GeneralSecurityException | RuntimeException e) {
            return false; // a signature the provider cannot even read does not verify
        }
    }

    private static boolean verifies(JWSVerifier verifier, CompactJws jws) throws JOSEException {
        return verifier.verify(jws.jws().getHeader(), jws.jws().getSigningInput(), jws.jws().getSignature());
    }
}
