package dev.aimesh.identity.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.security.cert.X509Certificate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.identity.TrustDomain;
import dev.aimesh.core.resource.Mesh;
import dev.aimesh.identity.TestClock;
import dev.aimesh.identity.tls.PinnedRootTrustManager;
import dev.aimesh.identity.x509.CertificateRequests;
import dev.aimesh.identity.x509.Fingerprints;
import dev.aimesh.identity.x509.TrustBundle;
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
    void betweenTheSwitchAndTheRetirementTheOldRootCertifiesTheNewOneForTheControlPlanesChain() throws Exception {
        CertificateAuthority ca = open();
        X509Certificate oldRoot = ca.state().signing().root();
        assertThat(ca.crossChainToOldRoot()).as("no rotation").isEmpty();
        ca.beginRootRotation(Optional.empty());
        assertThat(ca.crossChainToOldRoot()).as("prepared: the old root still signs").isEmpty();

        clock.advance(Duration.ofMinutes(1));
        RootRotation switched = ca.switchToNewRoot();
        X509Certificate newRoot = ca.state().signing().root();
        List<X509Certificate> cross = ca.crossChainToOldRoot();
        assertThat(cross).hasSize(2);
        assertThat(cross.get(0).getSubjectX500Principal()).isEqualTo(newRoot.getSubjectX500Principal());
        assertThat(cross.get(0).getPublicKey()).isEqualTo(newRoot.getPublicKey());
        assertThat(cross.get(0).getIssuerX500Principal()).isEqualTo(oldRoot.getSubjectX500Principal());
        assertThat(cross.get(0).getNotAfter().toInstant()).isEqualTo(switched.retireAt().orElseThrow()
                .plus(CertificateAuthority.RETIRE_SKEW).truncatedTo(ChronoUnit.SECONDS));
        assertThat(cross.get(1)).isEqualTo(oldRoot);
        assertThat(ca.crossChainToOldRoot()).as("made once").isEqualTo(cross);

        // The control plane's chain as it presents it: its leaf of the new root, the new root, the cross chain.
        SpiffeId controlPlane = SpiffeId.parse("spiffe://example.org/ns/aimesh-system/sa/aimesh-control-plane");
        List<X509Certificate> presented = new ArrayList<>(issue(ca, controlPlane).chain());
        presented.add(newRoot);
        presented.addAll(cross);
        TrustBundle onlyOld = new TrustBundle(1, List.of(oldRoot));
        assertThat(X509SvidVerifier.verify(presented, onlyOld, TD, Role.SERVER, clock.instant(), Set.of()))
                .as("a proxy that holds only the old bundle").isInstanceOf(Verification.Verified.class);
        assertThat(X509SvidVerifier.verify(presented, new TrustBundle(3, List.of(newRoot)), TD, Role.SERVER, clock.instant(), Set.of()))
                .as("a proxy that holds only the new root").isInstanceOf(Verification.Verified.class);
        assertThat(X509SvidVerifier.verify(presented, ca.bundle(), TD, Role.SERVER, clock.instant(), Set.of()))
                .isInstanceOf(Verification.Verified.class);
        // A join token made before the rotation pins only the old root.
        new PinnedRootTrustManager(List.of(Fingerprints.spkiSha256(oldRoot)), clock)
                .checkServerTrusted(presented.toArray(X509Certificate[]::new), "ECDHE_ECDSA");
        // A workload's SVID carries no cross chain: a holder of only the old root does not take the new root's SVIDs.
        assertThat(X509SvidVerifier.verify(issue(ca, ID).chain(), onlyOld, TD, Role.CLIENT, clock.instant(), Set.of()))
                .isInstanceOf(Verification.Rejected.class);

        clock.advance(Duration.between(clock.instant(), switched.retireAt().orElseThrow()));
        assertThat(ca.retireOldRootIfDue()).isTrue();
        assertThat(ca.crossChainToOldRoot()).isEmpty();
        clock.advance(CertificateAuthority.RETIRE_SKEW.plusSeconds(1));
        assertThat(X509SvidVerifier.verify(presented, onlyOld, TD, Role.SERVER, clock.instant(), Set.of()))
                .as("the cross certificate ends soon after the old root left").isInstanceOf(Verification.Rejected.class);
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
