package dev.aimesh.identity.ca;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.identity.TrustDomain;
import dev.aimesh.identity.ca.IssueDecision.Reason;
import dev.aimesh.identity.x509.CertificatePaths;
import dev.aimesh.identity.x509.CertificateRequests;
import dev.aimesh.identity.x509.Keys;
import dev.aimesh.identity.x509.SubjectAltNames;

class SvidIssuerTest {
    private static final TrustDomain TD = TrustDomain.parse("example.org");
    private static final SpiffeId ID = SpiffeId.forWorkload(TD, "models", "llm");
    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
    private static final CaCredential CA = RootCertificates.create(TD, NOW.minusSeconds(3600), Duration.ofDays(10));

    private static IssueDecision issue(byte[] csr, SpiffeId granted, Duration lifetime) {
        return SvidIssuer.issue(new SvidIssuer.Request(csr, granted, lifetime, NOW), CA);
    }

    private static byte[] csrFor(GeneralName... names) throws Exception {
        return CertificateRequests.withNames(Keys.newP256(), names).getEncoded();
    }

    private static GeneralName uri(String value) {
        return new GeneralName(GeneralName.uniformResourceIdentifier, value);
    }

    @Test
    void issuesAnSvidWithExactlyTheSpiffeIdAndTheRightExtensions() throws Exception {
        KeyPair keys = Keys.newP256();
        var decision = issue(CertificateRequests.forSpiffeId(keys, ID).getEncoded(), ID, Duration.ofHours(1));

        X509Certificate leaf = ((IssueDecision.Issued) decision).leaf();
        assertThat(SubjectAltNames.of(leaf)).containsExactly(new SubjectAltNames.Name(SubjectAltNames.URI, ID.toString()));
        assertThat(leaf.getPublicKey()).isEqualTo(keys.getPublic());
        assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
        assertThat(leaf.getCriticalExtensionOIDs()).contains("2.5.29.15", "2.5.29.19"); // key usage, basic constraints
        boolean[] keyUsage = Arrays.copyOf(leaf.getKeyUsage(), 9);
        assertThat(keyUsage).containsExactly(true, false, false, false, false, false, false, false, false);
        assertThat(leaf.getExtendedKeyUsage()).containsExactlyInAnyOrder(CertificatePaths.SERVER_AUTH, CertificatePaths.CLIENT_AUTH);
        assertThat(leaf.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofHours(1)));
        assertThat(leaf.getNotBefore().toInstant()).isBetween(NOW.minusSeconds(10), NOW);
        assertThat(leaf.getIssuerX500Principal()).isEqualTo(CA.root().getSubjectX500Principal());
        leaf.verify(CA.root().getPublicKey());
    }

    @Test
    void neverOutlivesTheSigningCertificate() throws Exception {
        var decision = issue(CertificateRequests.forSpiffeId(Keys.newP256(), ID).getEncoded(), ID, Duration.ofDays(30));
        assertThat(((IssueDecision.Issued) decision).leaf().getNotAfter()).isEqualTo(CA.root().getNotAfter());
    }

    @Test
    void refusesACsrWhoseSignatureDoesNotMatchItsKey() throws Exception {
        KeyPair claimed = Keys.newP256();
        KeyPair actual = Keys.newP256();
        byte[] csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("O=x"), claimed.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(actual.getPrivate())).getEncoded();
        assertRefused(issue(csr, ID, Duration.ofHours(1)), Reason.BAD_SIGNATURE, "no proof of possession");
    }

    @Test
    void refusesWhatAnSvidMustNotCarry() throws Exception {
        assertRefused(issue(csrFor(uri(ID.toString()), new GeneralName(GeneralName.dNSName, "llm.example.org")), ID,
                Duration.ofHours(1)), Reason.FORBIDDEN_NAME, "DNS name SAN");
        assertRefused(issue(csrFor(uri(ID.toString()), uri("spiffe://example.org/other")), ID, Duration.ofHours(1)),
                Reason.FORBIDDEN_NAME, "2 URI SANs");
        assertRefused(issue(csrFor(uri("https://example.org/llm")), ID, Duration.ofHours(1)),
                Reason.NO_SPIFFE_ID, "not a SPIFFE ID");
        assertRefused(issue(csrFor(new GeneralName(GeneralName.iPAddress, "10.0.0.1")), ID, Duration.ofHours(1)),
                Reason.FORBIDDEN_NAME, "IP address");
    }

    @Test
    void aCsrWithoutNamesGetsTheGrantedIdentity() throws Exception {
        var decision = issue(csrFor(), ID, Duration.ofHours(1));
        assertThat(SubjectAltNames.uris(((IssueDecision.Issued) decision).leaf())).containsExactly(ID.toString());
    }

    @Test
    void refusesAnIdentityTheCallerWasNotGranted() throws Exception {
        SpiffeId other = SpiffeId.forWorkload(TD, "models", "admin");
        assertRefused(issue(csrFor(uri(other.toString())), ID, Duration.ofHours(1)), Reason.IDENTITY_NOT_GRANTED,
                "asks for spiffe://example.org/ns/models/sa/admin but the caller may only be " + ID);
    }

    @Test
    void refusesGarbageAndNonP256Keys() throws Exception {
        assertRefused(issue(new byte[] {0x30, 0x03, 0x01, 0x02}, ID, Duration.ofHours(1)), Reason.MALFORMED_CSR, "PKCS#10");
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        byte[] rsaCsr = CertificateRequests.withNames(rsa.generateKeyPair(), uri(ID.toString())).getEncoded();
        assertRefused(issue(rsaCsr, ID, Duration.ofHours(1)), Reason.UNSUPPORTED_KEY, "expected ECDSA P-256");
    }

    @Test
    void refusesOnceTheSignerHasExpired() throws Exception {
        var decision = SvidIssuer.issue(new SvidIssuer.Request(csrFor(uri(ID.toString())), ID, Duration.ofHours(1),
                NOW.plus(Duration.ofDays(11))), CA);
        assertRefused(decision, Reason.SIGNER_EXPIRED, "expired");
    }

    private static void assertRefused(IssueDecision decision, Reason reason, String detail) {
        assertThat(decision).isInstanceOfSatisfying(IssueDecision.Refused.class, r -> {
            assertThat(r.reason()).isEqualTo(reason);
            assertThat(r.detail()).contains(detail);
        });
    }
}
