package dev.aimesh.identity.jwt;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.opts.AllowWeakRSAKey;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;

/** Keys made once per run and tokens signed with them, for the validator's tests. */
final class TestTokens {
    static final ECKey EC_P256 = ecKey(Curve.P_256, "ec-1");
    static final ECKey EC_P384 = ecKey(Curve.P_384, "ec-1");
    static final RSAKey RSA_2048 = rsaKey(2048, "rsa-1");
    static final KeyPair ED25519 = ed25519();
    static final OctetKeyPair ED25519_JWK = new OctetKeyPair.Builder(Curve.Ed25519,
            Base64URL.encode(rawEd25519(ED25519))).keyID("ed-1").build();

    private TestTokens() {}

    /** Weak RSA keys are allowed here so that the validator's refusal of them can be tested. */
    static String sign(JWSHeader header, Map<String, Object> claims, JWK key) {
        try {
            JWSSigner signer = key instanceof RSAKey rsa ? new RSASSASigner(rsa, Set.of(AllowWeakRSAKey.getInstance()))
                    : new ECDSASigner((ECKey) key);
            JWSObject jws = new JWSObject(header, new Payload(claims));
            jws.sign(signer);
            return jws.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static JWSHeader.Builder header(JWSAlgorithm alg, String kid) {
        return new JWSHeader.Builder(alg).keyID(kid);
    }

    /** Signs with the JDK: Nimbus's Ed25519 signer needs Tink. */
    static String signEd25519(String headerJson, Map<String, Object> claims) {
        try {
            String input = b64(headerJson.getBytes(StandardCharsets.UTF_8)) + "."
                    + b64(JSONObjectUtils.toJSONString(claims).getBytes(StandardCharsets.UTF_8));
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(ED25519.getPrivate());
            signer.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + b64(signer.sign());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A token made by hand, for headers and signatures no signer would produce. */
    static String raw(String headerJson, String payloadJson, byte[] signature) {
        return b64(headerJson.getBytes(StandardCharsets.UTF_8)) + "." + b64(payloadJson.getBytes(StandardCharsets.UTF_8))
                + "." + b64(signature);
    }

    static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static RSAKey rsaKey(int bits, String kid) {
        try {
            return new RSAKeyGenerator(bits, true).keyID(kid).keyUse(KeyUse.SIGNATURE).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ECKey ecKey(Curve curve, String kid) {
        try {
            return new ECKeyGenerator(curve).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair ed25519() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The last 32 bytes of the X.509 encoding are the raw Ed25519 public key. */
    private static byte[] rawEd25519(KeyPair pair) {
        byte[] spki = pair.getPublic().getEncoded();
        return Arrays.copyOfRange(spki, spki.length - 32, spki.length);
    }
}
