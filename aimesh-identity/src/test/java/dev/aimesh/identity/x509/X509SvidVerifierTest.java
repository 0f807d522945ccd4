package dev.aimesh.identity.x509;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.identity.TrustDomain;
import dev.aimesh.identity.ca.CaCredential;
import dev.aimesh.identity.ca.IssueDecision;
import dev.aimesh.identity.ca.RootCertificates;
import dev.aimesh.identity.ca.SvidIssuer;
import dev.aimesh.identity.x509.X509SvidVerifier.Role;
import dev.aimesh.identity.x509.X509SvidVerifier.Verification;

class X509SvidVerifierTest {
    private static final TrustDomain TD = TrustDomain.parse("example.org");
    private static final SpiffeId ID = SpiffeId.forWorkload(TD, "apps", "client");
    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
    private static final CaCredential CA = RootCertificates.create(TD, NOW.minusSeconds(60), Duration.ofDays(1));
    private static final TrustBundle BUNDLE = new TrustBundle(1, List.of(CA.root()));

    static List<java.security.cert.X509Certificate> svid(CaCredential ca, SpiffeId id, Instant at) throws Exception {
        byte[] csr = CertificateRequests.forSpiffeId(Keys.newP256(), id).getEncoded();
        return ((IssueDecision.Issued) SvidIssuer.issue(new SvidIssuer.Request(csr, id, Duration.ofHours(1), at), ca)).chain();
    }

    private static Verification verify(List<java.security.cert.X509Certificate> chain, TrustDomain td, Instant at) {
        return X509SvidVerifier.verify(chain, BUNDLE, td, Role.CLIENT, at, Set.of());
    }

    private static void assertRejected(Verification v, String reason) {
        assertThat(v).isInstanceOfSatisfying(Verification.Rejected.class, r -> assertThat(r.reason()).contains(reason));
    }

    @Test
    void verifiesAnSvidAndReturnsItsId() throws Exception {
        assertThat(verify(svid(CA, ID, NOW), TD, NOW)).isInstanceOfSatisfying(Verification.Verified.class,
                v -> assertThat(v.id()).isEqualTo(ID));
    }

    @Test
    void refusesAnotherCa() throws Exception {
        CaCredential other = RootCertificates.create(TD, NOW.minusSeconds(60), Duration.ofDays(1));
        assertRejected(verify(svid(other, ID, NOW), TD, NOW), "no valid path to a trusted root");
    }

    @Test
    void refusesAnotherTrustDomain() throws Exception {
        TrustDomain evil = TrustDomain.parse("evil.org");
        CaCredential sameKeyOtherDomain = RootCertificates.create(evil, NOW.minusSeconds(60), Duration.ofDays(1));
        TrustBundle both = new TrustBundle(1, List.of(CA.root(), sameKeyOtherDomain.root()));
        var chain = svid(sameKeyOtherDomain, SpiffeId.forWorkload(evil, "apps", "client"), NOW);
        assertRejected(X509SvidVerifier.verify(chain, both, TD, Role.CLIENT, NOW, Set.of()),
                "is not in trust domain example.org");
    }

    @Test
    void refusesExpiredAndNotYetValidCertificates() throws Exception {
        var chain = svid(CA, ID, NOW);
        Verification expired = verify(chain, TD, NOW.plus(Duration.ofHours(2)));
        assertRejected(expired, "the certificate of " + ID + " expired at " + chain.get(0).getNotAfter().toInstant()
                + " (it is now " + NOW.plus(Duration.ofHours(2)) + ")");
        assertThat(((Verification.Rejected) expired).problem()).isEqualTo(CertificateProblem.EXPIRED);
        Verification early = verify(chain, TD, NOW.minus(Duration.ofHours(1)));
        assertRejected(early, "is not valid before " + chain.get(0).getNotBefore().toInstant());
        assertThat(((Verification.Rejected) early).problem()).isEqualTo(CertificateProblem.NOT_YET_VALID);
    }

    @Test
    void anExpiredRootIsReportedAsExpiredNotAsAMissingPath() throws Exception {
        CaCredential shortRoot = RootCertificates.create(TD, NOW.minusSeconds(60), Duration.ofHours(2));
        var chain = svid(shortRoot, ID, NOW);
        // The root has left its validity while the leaf (presented, checked first) is within its own
        X509Certificate root = shortRoot.root();
        Instant after = root.getNotAfter().toInstant().plusSeconds(5);
        Verification v = X509SvidVerifier.verify(chain, new TrustBundle(1, List.of(root)), TD, Role.CLIENT, after, Set.of());
        assertThat(v).isInstanceOfSatisfying(Verification.Rejected.class, r -> {
            assertThat(r.problem()).isEqualTo(CertificateProblem.EXPIRED);
            assertThat(r.reason()).contains("expired").doesNotContain("no valid path");
        });
    }

    @Test
    void anotherCaIsAnUnknownCa() throws Exception {
        CaCredential other = RootCertificates.create(TD, NOW.minusSeconds(60), Duration.ofDays(1));
        assertThat(verify(svid(other, ID, NOW), TD, NOW)).isInstanceOfSatisfying(Verification.Rejected.class,
                r -> assertThat(r.problem()).isEqualTo(CertificateProblem.UNKNOWN_CA));
    }

    @Test
    void refusesACaCertificateAsLeafAndChainsWithoutCertificates() {
        assertRejected(verify(List.of(CA.root()), TD, NOW), "is a CA certificate");
        assertRejected(verify(List.of(), TD, NOW), "no certificate presented");
    }

    @Test
    void refusesRevokedCertificates() throws Exception {
        var chain = svid(CA, ID, NOW);
        assertRejected(X509SvidVerifier.verify(chain, BUNDLE, TD, Role.CLIENT, NOW, Set.of(chain.get(0).getSerialNumber())),
                "is revoked");
        assertThat(((Verification.Rejected) X509SvidVerifier.verify(chain, BUNDLE, TD, Role.CLIENT, NOW,
                Set.of(chain.get(0).getSerialNumber()))).problem()).isEqualTo(CertificateProblem.REVOKED);
    }
}
