package dev.aimesh.identity.x509;

import java.math.BigInteger;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.identity.TrustDomain;

/**
 * Verifies a peer's X.509-SVID chain per the SPIFFE X.509-SVID specification: a path to a root of the
 * trust bundle, a leaf that is not a CA, may sign, carries exactly one URI SAN that is a SPIFFE ID of
 * the expected trust domain, has the extended key usage for its role, and is not revoked; every
 * certificate presented is within its validity and meets the {@link CertificateProfile}. A refusal says
 * which {@link CertificateProblem} it is, so the TLS layer can send the alert that names it.
 */
public final class X509SvidVerifier {
    /** How deep a chain may be between leaf and root. */
    static final int MAX_INTERMEDIATES = 4;
    private static final int KU_DIGITAL_SIGNATURE = 0;
    private static final int KU_KEY_CERT_SIGN = 5;
    private static final int KU_CRL_SIGN = 6;

    private X509SvidVerifier() {}

    public enum Role {
        /** The peer is a TLS client: its leaf must allow clientAuth. */
        CLIENT(CertificatePaths.CLIENT_AUTH),
        /** The peer is a TLS server: its leaf must allow serverAuth. */
        SERVER(CertificatePaths.SERVER_AUTH);

        private final String eku;

        Role(String eku) {
            this.eku = eku;
        }
    }

    /** The outcome: the peer's verified identity, or why it was refused. */
    public sealed interface Verification {
        record Verified(SpiffeId id, X509Certificate leaf) implements Verification {}

        record Rejected(CertificateProblem problem, String reason) implements Verification {}
    }

    public static Verification verify(List<X509Certificate> chain, TrustBundle bundle, TrustDomain trustDomain,
            Role role, Instant at, Set<BigInteger> revokedSerials) {
        if (chain.isEmpty()) {
            return new Verification.Rejected(CertificateProblem.BAD_CERTIFICATE, "no certificate presented");
        }
        X509Certificate leaf = chain.get(0);
        Optional<String> leafProblem = checkLeaf(leaf);
        if (leafProblem.isPresent()) {
            return new Verification.Rejected(CertificateProblem.BAD_CERTIFICATE, leafProblem.get());
        }
        SpiffeId id;
        try {
            List<String> uris = SubjectAltNames.uris(leaf);
            if (uris.size() != 1) {
                return new Verification.Rejected(CertificateProblem.BAD_CERTIFICATE, uris.isEmpty() ? "the certificate has no URI SAN (not an X.509-SVID)"
                        : "the certificate has " + uris.size() + " URI SANs (an X.509-SVID has exactly one)");
            }
            Optional<SpiffeId> parsed = SpiffeId.tryParse(uris.get(0));
            if (parsed.isEmpty()) {
                return new Verification.Rejected(CertificateProblem.BAD_CERTIFICATE, "the URI SAN '" + uris.get(0) + "' is not a valid SPIFFE ID");
            }
            id = parsed.get();
        } catch (CertificateParsingException e) {
            return new Verification.Rejected(CertificateProblem.BAD_CERTIFICATE, "the subject alternative names are malformed");
        }
        if (!id.memberOf(trustDomain)) {
            return new Verification.Rejected(CertificateProblem.UNKNOWN_CA, "the peer " + id + " is not in trust domain " + trustDomain);
        }
        List<X509Certificate> intermediates = chain.subList(1, chain.size()).stream()
                .filter(c -> !bundle.contains(c)).toList();
        for (X509Certificate presented : chain) {
            if (bundle.contains(presented)) {
                continue;
            }
            String name = presented == leaf ? "the certificate of " + id
                    : "the intermediate CA certificate '" + presented.getSubjectX500Principal() + "'";
            Optional<Verification.Rejected> outOfValidity = checkValidity(presented, name, at);
            if (outOfValidity.isPresent()) {
                return outOfValidity.get();
            }
            Optional<String> weak = CertificateProfile.check(presented);
            if (weak.isPresent()) {
                return new Verification.Rejected(CertificateProblem.BAD_CERTIFICATE, name + " has " + weak.get());
            }
        }
        var requirements = new CertificatePaths.Requirements(at, MAX_INTERMEDIATES, Optional.of(role.eku));
        switch (CertificatePaths.validate(leaf, intermediates, bundle.roots(), requirements)) {
            case CertificatePaths.Result.Invalid invalid -> {
                return new Verification.Rejected(invalid.problem(), invalid.reason());
            }
            case CertificatePaths.Result.Valid valid -> {
                X509Certificate root = valid.path().get(valid.path().size() - 1);
                Optional<String> weakRoot = CertificateProfile.checkKey(root.getPublicKey());
                if (weakRoot.isPresent()) {
                    return new Verification.Rejected(CertificateProblem.BAD_CERTIFICATE, "the root '"
                            + root.getSubjectX500Principal() + "' has " + weakRoot.get());
                }
            }
        }
        for (X509Certificate c : chain) {
            if (revokedSerials.contains(c.getSerialNumber())) {
                return new Verification.Rejected(CertificateProblem.REVOKED,
                        "certificate serial " + c.getSerialNumber().toString(16) + " is revoked");
            }
        }
        return new Verification.Verified(id, leaf);
    }

    /** Validity is encoded to the second: compare at that granularity, both bounds inclusive (RFC 5280 §4.1.2.5). */
    private static Optional<Verification.Rejected> checkValidity(X509Certificate certificate, String name, Instant at) {
        Instant now = at.truncatedTo(ChronoUnit.SECONDS);
        Instant notBefore = certificate.getNotBefore().toInstant();
        Instant notAfter = certificate.getNotAfter().toInstant();
        if (now.isAfter(notAfter)) {
            return Optional.of(new Verification.Rejected(CertificateProblem.EXPIRED,
                    name + " expired at " + notAfter + " (it is now " + now + ")"));
        }
        if (now.isBefore(notBefore)) {
            return Optional.of(new Verification.Rejected(CertificateProblem.NOT_YET_VALID,
                    name + " is not valid before " + notBefore + " (it is now " + now + ")"));
        }
        return Optional.empty();
    }

    private static Optional<String> checkLeaf(X509Certificate leaf) {
        if (leaf.getBasicConstraints() >= 0) {
            return Optional.of("the leaf certificate is a CA certificate");
        }
        boolean[] keyUsage = leaf.getKeyUsage();
        if (keyUsage == null || !keyUsage[KU_DIGITAL_SIGNATURE]) {
            return Optional.of("the leaf certificate's key usage lacks digitalSignature");
        }
        if ((keyUsage.length > KU_KEY_CERT_SIGN && keyUsage[KU_KEY_CERT_SIGN])
                || (keyUsage.length > KU_CRL_SIGN && keyUsage[KU_CRL_SIGN])) {
            return Optional.of("the leaf certificate's key usage allows signing certificates");
        }
        return Optional.empty();
    }
}
