package dev.aimesh.identity.x509;

import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The key and signature profile every certificate of a mesh chain must meet, whoever issued it (a
 * brought-your-own CA may sign anything): keys RSA of at least 2048 bits or ECDSA on P-256 or P-384;
 * signatures ECDSA or RSA (PKCS#1 v1.5 or PSS) with SHA-256, SHA-384 or SHA-512. SHA-1, MD5 and other
 * curves are refused, as NIST SP 800-131A and the CA/Browser Forum baseline do. Every peer's chain is checked
 * at its handshake, so the DER inside is read with the JDK alone ({@link Der}).
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
    private static final Map<String, String> PSS_DIGESTS = Map.of("2.16.840.1.101.3.4.2.1", "SHA-256",
            "2.16.840.1.101.3.4.2.2", "SHA-384", "2.16.840.1.101.3.4.2.3", "SHA-512");
    /** RSASSA-PSS parameters without a hash algorithm mean SHA-1 (RFC 4055). */
    private static final String SHA1 = "1.3.14.3.2.26";
    private static final String P256 = "1.2.840.10045.3.1.7";
    private static final String P384 = "1.3.132.0.34";
    private static final Map<String, String> WEAK_CURVES = Map.of("1.2.840.10045.3.1.1", "P-192", "1.3.132.0.33", "P-224",
            "1.3.132.0.35", "P-521", "1.3.132.0.10", "secp256k1");

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
            Optional<String> curve = namedCurve(key.getEncoded());
            if (curve.isPresent() && (curve.get().equals(P256) || curve.get().equals(P384))) {
                return Optional.empty();
            }
            String name = curve.map(CertificateProfile::curveName).orElse("explicit parameters");
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
            String digest;
            try {
                digest = parameters == null ? null : pssDigest(parameters);
            } catch (IllegalArgumentException e) {
                return Optional.of("an RSASSA-PSS signature with malformed parameters (" + EXPECTED_SIGNATURE + ")");
            }
            return PSS_DIGESTS.containsKey(digest) ? Optional.empty()
                    : Optional.of("an RSASSA-PSS signature with " + (digest == null ? "SHA-1" : digest) + " ("
                            + EXPECTED_SIGNATURE + ")");
        }
        return Optional.of("a " + certificate.getSigAlgName() + " signature (" + EXPECTED_SIGNATURE + ")");
    }

    /** The curve OID of an EC SubjectPublicKeyInfo, or empty when its parameters are explicit (no name). */
    private static Optional<String> namedCurve(byte[] subjectPublicKeyInfo) {
        List<Der.Element> algorithm = Der.read(subjectPublicKeyInfo).children().get(0).children();
        return algorithm.size() > 1 && algorithm.get(1).tag() == Der.OBJECT_IDENTIFIER
                ? Optional.of(algorithm.get(1).oid()) : Optional.empty();
    }

    /** RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] AlgorithmIdentifier DEFAULT sha1, ... }. */
    private static String pssDigest(byte[] parameters) {
        Der.Element pss = Der.read(parameters);
        if (pss.tag() != Der.SEQUENCE) {
            throw new IllegalArgumentException("RSASSA-PSS parameters that are not a SEQUENCE");
        }
        List<Der.Element> fields = pss.children();
        if (fields.isEmpty() || fields.get(0).tag() != 0xa0) {
            return SHA1;
        }
        return fields.get(0).children().get(0).children().get(0).oid();
    }

    private static String curveName(String curve) {
        return WEAK_CURVES.getOrDefault(curve, "curve " + curve);
    }
}
