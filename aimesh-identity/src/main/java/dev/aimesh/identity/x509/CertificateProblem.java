package dev.aimesh.identity.x509;

/**
 * What is wrong with a refused certificate, in the terms a TLS alert tells the peer (RFC 8446 §6.2):
 * each maps to the alert that names it, and to the OpenSSL verify error that makes BoringSSL send it.
 */
public enum CertificateProblem {
    /** Past its notAfter: {@code certificate_expired}. */
    EXPIRED(10),
    /** Before its notBefore: {@code bad_certificate}. */
    NOT_YET_VALID(9),
    /** No path to a root of the trust bundle: {@code unknown_ca}. */
    UNKNOWN_CA(20),
    /** Not an acceptable SVID (shape, key usage, key or signature profile, identity): {@code bad_certificate}. */
    BAD_CERTIFICATE(28),
    /** Revoked by the control plane: {@code certificate_revoked}. */
    REVOKED(23);

    /** OpenSSL's {@code X509_V_ERR_*} code for it; BoringSSL turns it into the alert. */
    public final int opensslVerifyError;

    CertificateProblem(int opensslVerifyError) {
        this.opensslVerifyError = opensslVerifyError;
    }
}
