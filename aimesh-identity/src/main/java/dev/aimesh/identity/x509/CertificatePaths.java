package dev.aimesh.identity.x509;

import java.security.InvalidAlgorithmParameterException;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertStore;
import java.security.cert.CertificateParsingException;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXCertPathBuilderResult;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * RFC 5280 path validation: builds a path from the leaf through the untrusted intermediates to one of
 * the trusted roots, checking signatures, validity at the given instant, CA constraints, path length
 * and name constraints. Revocation is not checked here (the mesh uses short-lived certificates).
 */
public final class CertificatePaths {
    /** EKU object identifiers. */
    public static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    public static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final String ANY_EKU = "2.5.29.37.0";

    private CertificatePaths() {}

    /** What to check beyond the chain itself. */
    public record Requirements(Instant at, int maxIntermediates, Optional<String> leafExtendedKeyUsage) {}

    /** The validated path (leaf first, root last), or why there is none. */
    public sealed interface Result {
        record Valid(List<X509Certificate> path) implements Result {}

        record Invalid(CertificateProblem problem, String reason) implements Result {}
    }

    public static Result validate(X509Certificate leaf, Collection<X509Certificate> intermediates,
            Collection<X509Certificate> roots, Requirements requirements) {
        if (roots.isEmpty()) {
            return new Result.Invalid(CertificateProblem.UNKNOWN_CA, "the trust bundle is empty");
        }
        Optional<String> ekuProblem = requirements.leafExtendedKeyUsage().flatMap(eku -> checkEku(leaf, eku));
        if (ekuProblem.isPresent()) {
            return new Result.Invalid(CertificateProblem.BAD_CERTIFICATE, ekuProblem.get());
        }
        Set<TrustAnchor> anchors = new HashSet<>();
        for (X509Certificate root : roots) {
            anchors.add(new TrustAnchor(root, null));
        }
        try {
            X509CertSelector target = new X509CertSelector();
            target.setCertificate(leaf);
            PKIXBuilderParameters params = new PKIXBuilderParameters(anchors, target);
            List<X509Certificate> store = new ArrayList<>(intermediates.size() + 1);
            store.add(leaf);
            store.addAll(intermediates);
            params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(store)));
            params.setRevocationEnabled(false);
            // Validity is encoded to the second; compare at that granularity.
            params.setDate(Date.from(requirements.at().truncatedTo(ChronoUnit.SECONDS)));
            params.setMaxPathLength(requirements.maxIntermediates());
            PKIXCertPathBuilderResult built = (PKIXCertPathBuilderResult) CertPathBuilder.getInstance("PKIX").build(params);
            List<X509Certificate> path = new ArrayList<>();
            built.getCertPath().getCertificates().forEach(c -> path.add((X509Certificate) c));
            path.add(built.getTrustAnchor().getTrustedCert());
            for (X509Certificate certificate : path) {
                Optional<String> problem = NameSyntax.check(certificate);
                if (problem.isPresent()) {
                    return new Result.Invalid(CertificateProblem.BAD_CERTIFICATE, problem.get() + " in " + certificate.getSubjectX500Principal());
                }
            }
            return new Result.Valid(path);
        } catch (CertPathBuilderException e) {
            return describe(e);
        } catch (InvalidAlgorithmParameterException | NoSuchAlgorithmException e) {
            return new Result.Invalid(CertificateProblem.BAD_CERTIFICATE, "cannot validate: " + e.getMessage());
        }
    }

    private static Optional<String> checkEku(X509Certificate leaf, String required) {
        try {
            List<String> ekus = leaf.getExtendedKeyUsage();
            if (ekus != null && !ekus.contains(required) && !ekus.contains(ANY_EKU)) {
                return Optional.of("the certificate's extended key usage does not allow "
                        + (required.equals(CLIENT_AUTH) ? "client" : "server") + " authentication");
            }
            return Optional.empty();
        } catch (CertificateParsingException e) {
            return Optional.of("the extended key usage extension is malformed");
        }
    }

    private static Result describe(CertPathBuilderException e) {
        // The builder hides the validator's reason a level or two down; surface the most specific one, and
        // tell a certificate out of its validity from one that has no path at all.
        Throwable cause = e;
        String message = e.getMessage();
        CertificateProblem problem = CertificateProblem.UNKNOWN_CA;
        while (cause.getCause() != null) {
            cause = cause.getCause();
            if (cause.getMessage() != null) {
                message = cause.getMessage();
            }
            if (cause instanceof CertPathValidatorException invalid) {
                if (invalid.getReason() == CertPathValidatorException.BasicReason.EXPIRED) {
                    problem = CertificateProblem.EXPIRED;
                } else if (invalid.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
                    problem = CertificateProblem.NOT_YET_VALID;
                }
            }
        }
        return switch (problem) {
            case EXPIRED -> new Result.Invalid(problem, "a certificate of the chain has expired: " + message);
            case NOT_YET_VALID -> new Result.Invalid(problem, "a certificate of the chain is not valid yet: " + message);
            default -> new Result.Invalid(problem, "no valid path to a trusted root: " + message);
        };
    }
}
