package dev.aimesh.identity.x509;

import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSASSAPSSparams;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * The key and signature profile every certificate of a mesh chain must meet, whoever issued it (a
 * brought-your-own CA may sign anything): keys RSA of at least 2048 bits or ECDSA on P-256 or P-384;
 * signatures ECDSA or RSA (PKCS#1 v1.5 or PSS) with SHA-256, SHA-384 or SHA-512. SHA-1, MD5 and other
 * curves are refused, as NIST SP 800-131A and the CA/Browser Forum baseline do.
 */
public final class CertificateProfile {
    static final int MIN_RSA_BITS = 2048;
    private static final String EXPECTED_KEY = "expected: RSA >= " + MIN_RSA_BITS + " bits, or ECDSA P-256 or P-384";
    private static final String EXPECTED_SIGNATURE = "expected: ECDSA or RSA with SHA-256, SHA-384 or SHA-512";
    private static final String RSASSA_PSS = "1.2.840.113549.1.1.10";
    private static final Map<String, String> SIGNATURES = Map.of(
            "1.2.840.10045.4.3.2", "SHA256withECDSA", "1.2.840.10045.4.3.3", "SHA384withECDSA",
            "1.2.840.10045.4.3.4", "SHA512withECDSA", "1.2.840.113549.1.1.11", "SHA256withRSA",
            "1.2.840.113549.1.1.12", "SHA384withRSA", "1.2.840.113549.1.1.13", "SHA512withRSA");
    private static final Map<ASN1ObjectIdentifier, String> PSS_DIGESTS = Map.of(NISTObjectIdentifiers.id_sha256, "SHA-256",
            NISTObjectIdentifiers.id_sha384, "SHA-384", NISTObjectIdentifiers.id_sha512, "SHA-512");

    private CertificateProfile() {}

    /** Why the certificate's key or signature is below the profile, or empty when it meets it. */
    public static Optional<String> check(X509Certificate certificate) {
        return checkKey(certificate.getPublicKey()).or(() -> checkSignature(certificate));
    }

    /** The key alone: a trusted root's self-signature says nothing, but its key signs the chain. */
    public static Optional<String> checkKey(PublicKey key) {
        if (key instanceof RSAPublicKey rsa) {
            int bits = rsa.getModulus().bitLength();
            return bits >= MIN_RSA_BITS ? Optional.empty() : Optional.of("an RSA key of " + bits + " bits (" + EXPECTED_KEY + ")");
        }
        if ("EC".equals(key.getAlgorithm())) {
            SubjectPublicKeyInfo info = SubjectPublicKeyInfo.getInstance(key.getEncoded());
            var parameters = info.getAlgorithm().getParameters();
            if (parameters instanceof ASN1ObjectIdentifier curve
                    && (curve.equals(SECObjectIdentifiers.secp256r1) || curve.equals(SECObjectIdentifiers.secp384r1))) {
                return Optional.empty();
            }
            String name = parameters instanceof ASN1ObjectIdentifier curve ? curveName(curve) : "explicit parameters";
            return Optional.of("an EC key on " + name + " (" + EXPECTED_KEY + ")");
        }
        return Optional.of("a " + key.getAlgorithm() + " key (" + EXPECTED_KEY + ")");
    }

    private static Optional<String> checkSignature(X509Certificate certificate) {
        String oid = certificate.getSigAlgOID();
        if (SIGNATURES.containsKey(oid)) {
            return Optional.empty();
        }
        if (RSASSA_PSS.equals(oid)) {
            byte[] parameters = certificate.getSigAlgParams();
            ASN1ObjectIdentifier digest = parameters == null ? null
                    : RSASSAPSSparams.getInstance(parameters).getHashAlgorithm().getAlgorithm();
            return PSS_DIGESTS.containsKey(digest) ? Optional.empty()
                    : Optional.of("an RSASSA-PSS signature with " + (digest == null ? "SHA-1" : digest.getId()) + " ("
                            + EXPECTED_SIGNATURE + ")");
        }
        return Optional.of("a " + certificate.getSigAlgName() + " signature (" + EXPECTED_SIGNATURE + ")");
    }

    private static String curveName(ASN1ObjectIdentifier curve) {
        String name = X9ObjectIdentifiers.prime192v1.equals(curve) ? "P-192"
                : SECObjectIdentifiers.secp224r1.equals(curve) ? "P-224"
                : SECObjectIdentifiers.secp521r1.equals(curve) ? "P-521"
                : SECObjectIdentifiers.secp256k1.equals(curve) ? "secp256k1" : null;
        return name != null ? name : "curve " + curve.getId();
    }
}
