package dev.aimesh.identity.jwt;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import com.nimbusds.jose.jwk.OctetKeyPair;

/**
 * EdDSA (Ed25519) with the JDK's own implementation: Nimbus's needs Tink, a large optional dependency.
 */
final class Ed25519Verification {
    /** DER SubjectPublicKeyInfo prefix for an Ed25519 key (RFC 8410): the 32 key bytes follow. */
    private static final byte[] SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

    private Ed25519Verification() {}

    static boolean verify(OctetKeyPair key, byte[] signingInput, byte[] signature) throws GeneralSecurityException {
        byte[] x = key.getX().decode();
        if (x.length != 32 || signature.length != 64) {
            return false;
        }
        byte[] spki = new byte[SPKI_PREFIX.length + x.length];
        System.arraycopy(SPKI_PREFIX, 0, spki, 0, SPKI_PREFIX.length);
        System.arraycopy(x, 0, spki, SPKI_PREFIX.length, x.length);
        PublicKey publicKey = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
        Signature verifier = Signature.getInstance("Ed25519");
        verifier.initVerify(publicKey);
        verifier.update(signingInput);
        return verifier.verify(signature);
    }
}
