package dev.aimesh.identity.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.identity.TrustDomain;
import dev.aimesh.core.resource.Mesh;
import dev.aimesh.identity.TestClock;
import dev.aimesh.identity.x509.CertificateRequests;
import dev.aimesh.identity.x509.Keys;
import dev.aimesh.identity.x509.X509Svid;
import dev.aimesh.identity.x509.X509SvidVerifier;
import dev.aimesh.identity.x509.X509SvidVerifier.Role;
import dev.aimesh.identity.x509.X509SvidVerifier.Verification;

class CertificateAuthorityTest {
    private static final TrustDomain TD = TrustDomain.parse("example.org");
    private static final SpiffeId ID = SpiffeId.forWorkload(TD, "models", "llm");
    private static final Mesh.Certificates CERTS = new Mesh.Certificates(Duration.ofHours(1), Duration.ofDays(30));

    @TempDir
    Path dataDir;
    private final TestClock clock = new TestClock(Instant.parse("2026-11-22T10:00:00Z"));

    private CertificateAuthority open() {
        return CertificateAuthority.open(new CaStore(dataDir.resolve("ca")), TD, CERTS, clock, Optional.empty());
    }

    static X509Svid issue(CertificateAuthority ca, SpiffeId id) throws Exception {
        KeyPair keys = Keys.newP256();
        var decision = ca.issue(CertificateRequests.forSpiffeId(keys, id).getEncoded(), id);
        return new X509Svid(id, keys.getPrivate(), ((IssueDecision.Issued) decision).chain());
    }

    private Verification verify(CertificateAuthority ca, X509Svid svid) {
        return X509SvidVerifier.verify(svid.chain(), ca.bundle(), TD, Role.CLIENT, clock.instant(), ca.revokedSerials());
    }

    @Test
    void createsARootOnFirstStartWithOwnerOnlyKeyFiles() throws Exception {
        CertificateAuthority ca = open();
        assertThat(ca.bundle().roots()).hasSize(1);
        assertThat(ca.bundle().version()).isEqualTo(1);
        try (var files = Files.walk(dataDir.resolve("ca"))) {
            for (Path p : files.toList()) {
                String expected = Files.isDirectory(p) ? "rwx------" : "rw-------";
                if (p.getFileName().toString().equals("issued.jsonl")) {
                    continue; // holds no secrets
                }
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).as(p.toString()).isEqualTo(expected);
            }
        }
        assertThat(verify(ca, issue(ca, ID))).isInstanceOf(Verification.Verified.class);
    }

    @Test
    void aRestartKeepsTheSameRootAndBundle() throws Exception {
        CertificateAuthority first = open();
        X509Svid svid = issue(first, ID);
        first.revoke(svid.leaf().getSerialNumber());

        CertificateAuthority second = open();
        assertThat(second.bundle()).isEqualTo(first.bundle());
        assertThat(second.state().signing().root()).isEqualTo(first.state().signing().root());
        assertThat(second.revokedSerials()).containsExactly(svid.leaf().getSerialNumber());
        assertThat(verify(second, svid)).isInstanceOfSatisfying(Verification.Rejected.class,
                r -> assertThat(r.reason()).contains("revoked"));
        assertThat(verify(second, issue(second, ID))).isInstanceOf(Verification.Verified.class);
    }

    @Test
    void aDamagedRootFileStopsTheCaWithTheFileNamed() throws Exception {
        open();
        Path chain;
        try (var files = Files.walk(dataDir.resolve("ca/authorities"))) {
            chain = files.filter(p -> p.getFileName().toString().equals("chain.pem")).findFirst().orElseThrow();
        }
        Files.writeString(chain, "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(this::open).isInstanceOf(CaStoreException.class)
                .hasMessageStartingWith(chain.toString())
                .hasMessageContaining("damaged");

        Files.writeString(dataDir.resolve("ca/state.json"), "{ not json");
        assertThatThrownBy(this::open).isInstanceOf(CaStoreException.class)
                .hasMessageContaining("state.json: cannot read the CA state");
    }

    @Test
    void aKeyThatDoesNotMatchItsCertificateIsRefused() throws Exception {
        open();
        Path key;
        try (var files = Files.walk(dataDir.resolve("ca/authorities"))) {
            key = files.filter(p -> p.getFileName().toString().equals("key.pem")).findFirst().orElseThrow();
        }
        Files.writeString(key, dev.aimesh.identity.x509.Pem.privateKey(Keys.newP256().getPrivate()));
        assertThatThrownBy(this::open).hasMessageContaining("does not belong to the certificate");
    }

    @Test
    void refusesToServeAnotherTrustDomainFromTheSameDataDir() {
        open();
        assertThatThrownBy(() -> CertificateAuthority.open(new CaStore(dataDir.resolve("ca")),
                TrustDomain.parse("other.org"), CERTS, clock, Optional.empty()))
                .hasMessageContaining("belongs to trust domain example.org but the mesh is configured for other.org");
    }

    @Test
    void rotatesTheRootWithoutAMomentWhereAnSvidFailsToVerify() throws Exception {
        CertificateAuthority ca = open();
        X509Svid fromOld = issue(ca, ID);

        RootRotation prepared = ca.beginRootRotation(Optional.empty());
        assertThat(prepared.phase()).isEqualTo(RootRotation.Phase.PREPARED);
        assertThat(ca.bundle().roots()).hasSize(2);
        assertThat(ca.bundle().version()).isEqualTo(2);
        assertThat(issue(ca, ID).leaf().getIssuerX500Principal()).isEqualTo(fromOld.leaf().getIssuerX500Principal());
        assertThatThrownBy(() -> ca.beginRootRotation(Optional.empty())).hasMessageContaining("already in progress");

        clock.advance(Duration.ofMinutes(5));
        RootRotation switched = ca.switchToNewRoot();
        X509Svid fromNew = issue(ca, ID);
        assertThat(fromNew.leaf().getIssuerX500Principal()).isNotEqualTo(fromOld.leaf().getIssuerX500Principal());
        assertThat(verify(ca, fromOld)).isInstanceOf(Verification.Verified.class);
        assertThat(verify(ca, fromNew)).isInstanceOf(Verification.Verified.class);
        // The old root stays until the last SVID it signed (issued at t+0, one hour) has expired.
        assertThat(switched.retireAt()).contains(fromOld.expiresAt().plus(CertificateAuthority.RETIRE_SKEW));

        // A restart in the middle of a rotation resumes it.
        CertificateAuthority restarted = open();
        assertThat(restarted.rotation()).contains(switched);
        assertThat(restarted.retireOldRootIfDue()).isFalse();

        clock.advance(Duration.ofMinutes(56));
        assertThat(restarted.retireOldRootIfDue()).isTrue();
        assertThat(restarted.bundle().roots()).containsExactly(restarted.state().signing().root());
        assertThat(restarted.bundle().version()).isEqualTo(3);
        assertThat(restarted.rotation()).isEmpty();
        assertThat(verify(restarted, fromNew)).isInstanceOf(Verification.Verified.class);
        assertThat(verify(restarted, fromOld)).isInstanceOf(Verification.Rejected.class);
        assertThat(open().bundle()).isEqualTo(restarted.bundle());
    }

    @Test
    void startsFromASuppliedIntermediate() throws Exception {
        CaCredential root = RootCertificates.create(TD, clock.instant(), Duration.ofDays(365));
        CaCredential intermediate = TestIntermediates.signedBy(root, clock.instant(), Duration.ofDays(100));
        CertificateAuthority ca = CertificateAuthority.open(new CaStore(dataDir.resolve("ca")), TD, CERTS, clock,
                Optional.of(intermediate));
        X509Svid svid = issue(ca, ID);
        assertThat(svid.chain()).hasSize(2);
        assertThat(svid.chain().get(1)).isEqualTo(intermediate.signingCertificate());
        assertThat(ca.bundle().roots()).containsExactly(root.root());
        assertThat(verify(ca, svid)).isInstanceOf(Verification.Verified.class);

        // The same data dir with another supplied CA is a mistake, not a silent switch.
        CaCredential other = RootCertificates.create(TD, clock.instant(), Duration.ofDays(365));
        assertThatThrownBy(() -> CertificateAuthority.open(new CaStore(dataDir.resolve("ca")), TD, CERTS, clock,
                Optional.of(other))).hasMessageContaining("already holds a different CA");
    }

    @Test
    void refusesIdentitiesOutsideTheTrustDomain() throws Exception {
        CertificateAuthority ca = open();
        SpiffeId foreign = SpiffeId.parse("spiffe://evil.org/ns/x/sa/y");
        var decision = ca.issue(CertificateRequests.forSpiffeId(Keys.newP256(), foreign).getEncoded(), foreign);
        assertThat(decision).isInstanceOfSatisfying(IssueDecision.Refused.class,
                r -> assertThat(r.detail()).isEqualTo("spiffe://evil.org/ns/x/sa/y is not in trust domain example.org"));
    }
}
