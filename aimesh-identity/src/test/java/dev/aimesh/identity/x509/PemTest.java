package dev.aimesh.identity.x509;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringWriter;
import java.security.KeyPair;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.identity.TrustDomain;
import dev.aimesh.identity.ca.CaCredential;
import dev.aimesh.identity.ca.RootCertificates;

/** PEM read with the JDK: what aimesh writes and what OpenSSL and BouncyCastle write. */
class PemTest {
    private static final Instant NOW = Instant.now();
    private static final CaCredential CA = RootCertificates.create(TrustDomain.parse("example.org"), NOW.minusSeconds(60),
            Duration.ofDays(1));

    private static String bouncyCastlePem(Object o) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(o);
        }
        return out.toString();
    }

    @Test
    void certificatesRoundTripInOrderWithTextAroundThem() throws Exception {
        X509Certificate other = RootCertificates.create(TrustDomain.parse("other.org"), NOW.minusSeconds(60), Duration.ofDays(1)).root();
        String pem = "a bundle\n" + Pem.certificates(List.of(CA.root())) + "between\r\n" + bouncyCastlePem(other) + "trailing";
        assertThat(Pem.parseCertificates(pem)).containsExactly(CA.root(), other);
    }

    @Test
    void pkcs8KeysOfEachAlgorithmAreReadWithTheJdk() throws Exception {
        for (KeyPair keys : List.of(Keys.newP256(), CraftedCertificates.ec("secp384r1"), CraftedCertificates.rsa(2048))) {
            assertThat(Pem.parsePrivateKey(Pem.privateKey(keys.getPrivate()))).isEqualTo(keys.getPrivate());
        }
    }

    @Test
    void olderOpenSslKeyFormsStillRead() throws Exception {
        Process openssl = new ProcessBuilder("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout").start();
        String sec1 = new String(openssl.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(openssl.waitFor()).isZero();
        assertThat(sec1).startsWith("-----BEGIN EC PRIVATE KEY-----");
        assertThat(Pem.parsePrivateKey(sec1)).isInstanceOfSatisfying(java.security.interfaces.ECPrivateKey.class,
                key -> assertThat(key.getParams().getCurve().getField().getFieldSize()).isEqualTo(256));
        KeyPair rsa = CraftedCertificates.rsa(2048);
        String pkcs1 = bouncyCastlePem(rsa);
        assertThat(pkcs1).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(Pem.parsePrivateKey(pkcs1).getEncoded()).isEqualTo(rsa.getPrivate().getEncoded());
    }

    @Test
    void badInputIsRefusedSayingWhatWasWrong() {
        assertThatThrownBy(() -> Pem.parseCertificates("nothing here")).isInstanceOf(CertificateException.class)
                .hasMessage("no PEM certificate found");
        assertThatThrownBy(() -> Pem.parseCertificates(Pem.privateKey(Keys.newP256().getPrivate())))
                .hasMessage("expected a CERTIFICATE block, found PRIVATE KEY");
        assertThatThrownBy(() -> Pem.parseCertificates("-----BEGIN CERTIFICATE-----\nMIIB\n"))
                .hasMessage("not valid PEM: the CERTIFICATE block has no END line");
        assertThatThrownBy(() -> Pem.parseCertificates("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
                .hasMessageStartingWith("not a valid PEM certificate: ");
        assertThatThrownBy(() -> Pem.parseCertificates("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n"))
                .hasMessageStartingWith("not a valid PEM certificate: ");
        assertThatThrownBy(() -> Pem.parsePrivateKey("")).hasMessage("no PEM private key found");
        assertThatThrownBy(() -> Pem.parsePrivateKey("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"))
                .hasMessageStartingWith("not a valid PEM private key: ");
        assertThatThrownBy(() -> Pem.parsePrivateKey(Pem.certificates(List.of(CA.root()))))
                .hasMessage("expected a PRIVATE KEY block, found X509CertificateHolder");
    }
}
