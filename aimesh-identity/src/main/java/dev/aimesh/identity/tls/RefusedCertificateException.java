package dev.aimesh.identity.tls;

import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.PKIXReason;
import dev.aimesh.identity.x509.CertificateProblem;

/**
 * A peer certificate the trust manager refused, with the {@link CertificateProblem} that decides the TLS
 * alert. Its cause is a {@link CertPathValidatorException} with the matching reason, which is what the
 * JDK's TLS stack reads to choose the alert ({@code certificate_expired}, {@code unknown_ca}, ...).
 */
public final class RefusedCertificateException extends CertificateException {
    private final CertificateProblem problem;

    public RefusedCertificateException(CertificateProblem problem, String reason) {
        super(reason, new CertPathValidatorException(reason, null, null, -1, jdkReason(problem)));
        this.problem = problem;
    }

    public CertificateProblem problem() {
        return problem;
    }

    private static CertPathValidatorException.Reason jdkReason(CertificateProblem problem) {
        return switch (problem) {
            case EXPIRED -> CertPathValidatorException.BasicReason.EXPIRED;
            case NOT_YET_VALID -> CertPathValidatorException.BasicReason.NOT_YET_VALID;
            case UNKNOWN_CA -> PKIXReason.NO_TRUST_ANCHOR;
            case REVOKED -> CertPathValidatorException.BasicReason.REVOKED;
            // the JDK sends bad_certificate for an invalid signature; no reason of its own means bad_certificate
            case BAD_CERTIFICATE -> CertPathValidatorException.BasicReason.INVALID_SIGNATURE;
        };
    }
}
