package dev.aimesh.identity.x509;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.identity.TrustDomain;
import dev.aimesh.identity.ca.CaCredential;
import dev.aimesh.identity.ca.IssueDecision;
import dev.aimesh.identity.ca.RootCertificates;
import dev.aimesh.identity.ca.SvidIssuer;

class SvidRequestTest {
    private static final TrustDomain TD = TrustDomain.parse("example.org");
    private static final SpiffeId ID = SpiffeId.forWorkload(TD, "models", "llm");
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

    @Test
    void bouncyCastleReadsTheRequestAndItsSignatureHolds() throws Exception {
        KeyPair keys = Keys.newP256();
        PKCS10CertificationRequest csr = new PKCS10CertificationRequest(SvidRequest.der(keys, Optional.of(ID)));

        assertThat(csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(csr.getSubjectPublicKeyInfo()))).isTrue();
        assertThat(csr.getSubject().toString()).isEqualTo("O=aimesh");
        assertThat(csr.getSubjectPublicKeyInfo().getEncoded()).isEqualTo(keys.getPublic().getEncoded());
        assertThat(csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)).hasSize(1);
    }

    @Test
    void theCaIssuesTheSpiffeIdItAsksFor() throws Exception {
        CaCredential ca = RootCertificates.create(TD, NOW.minusSeconds(60), Duration.ofDays(1));
        KeyPair keys = Keys.newP256();
        var decision = SvidIssuer.issue(new SvidIssuer.Request(SvidRequest.der(keys, Optional.of(ID)), ID,
                Duration.ofHours(1), NOW), ca);

        X509Certificate leaf = ((IssueDecision.Issued) decision).leaf();
        assertThat(SubjectAltNames.of(leaf)).containsExactly(new SubjectAltNames.Name(SubjectAltNames.URI, ID.toString()));
        assertThat(leaf.getPublicKey()).isEqualTo(keys.getPublic());
    }

    @Test
    void withoutAnIdTheRequestAsksForNoName() throws Exception {
        PKCS10CertificationRequest csr = new PKCS10CertificationRequest(SvidRequest.der(Keys.newP256(), Optional.empty()));

        assertThat(csr.getAttributes()).isEmpty();
        assertThat(csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(csr.getSubjectPublicKeyInfo()))).isTrue();
    }

    @Test
    void opensslVerifiesTheRequest(@TempDir Path dir) throws Exception {
        Path pem = dir.resolve("svid.csr");
        Files.writeString(pem, "-----BEGIN CERTIFICATE REQUEST-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(SvidRequest.der(Keys.newP256(), Optional.of(ID)))
                + "\n-----END CERTIFICATE REQUEST-----\n");
        Process openssl = new ProcessBuilder("openssl", "req", "-in", pem.toString(), "-noout", "-verify", "-text")
                .redirectErrorStream(true).start();
        assertThat(openssl.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(openssl.getInputStream().readAllBytes());
        assertThat(openssl.exitValue()).as(out).isZero();
        assertThat(out).contains("verify OK").contains("URI:" + ID);
    }

    @Test
    void refusesAKeyThatIsNotP256() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        assertThatThrownBy(() -> SvidRequest.der(rsa.generateKeyPair(), Optional.of(ID)))
                .hasMessageContaining("ECDSA P-256");
    }
}
