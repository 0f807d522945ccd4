package dev.aimesh.identity.x509;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.HexFormat;

/** Key generation and checks: the mesh uses ECDSA P-256 throughout. */
public final class Keys {
    private static final int P256_FIELD_SIZE = 256;

    private Keys() {}

    public static KeyPair newP256() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no ECDSA P-256", e);
        }
    }

    public static boolean isP256(PublicKey key) {
        return key instanceof ECPublicKey ec && ec.getParams().getCurve().getField().getFieldSize() == P256_FIELD_SIZE
                && ec.getParams().getOrder().bitLength() == P256_FIELD_SIZE;
    }

    /** The JCA signature algorithm that a CA with this key signs with. */
    public static String signatureAlgorithm(PrivateKey key) {
        return switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> throw new IllegalArgumentException("unsupported CA key algorithm " + key.getAlgorithm()
                    + " (expected: EC or RSA)");
        };
    }

    /** Whether the private key belongs to the public key, by signing and verifying a challenge. */
    public static boolean matches(PrivateKey privateKey, PublicKey publicKey) {
        try {
            byte[] challenge = HexFormat.of().parseHex("61696d6573682d6b65792d6d61746368");
            String algorithm = signatureAlgorithm(privateKey);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(privateKey);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }
}
