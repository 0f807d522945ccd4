package dev.aimesh.identity.x509;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HexFormat;

/** SHA-256 fingerprints of certificates and their public keys. */
public final class Fingerprints {
    private Fingerprints() {}

    public static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Hex SHA-256 of the DER certificate, the form Envoy puts in {@code x-forwarded-client-cert}. */
    public static String certificateSha256Hex(X509Certificate certificate) {
        try {
            return HexFormat.of().formatHex(sha256(certificate.getEncoded()));
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Base64url SHA-256 of the SubjectPublicKeyInfo: stable across re-issue of the same key. */
    public static String spkiSha256(X509Certificate certificate) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(certificate.getPublicKey().getEncoded()));
    }
}
