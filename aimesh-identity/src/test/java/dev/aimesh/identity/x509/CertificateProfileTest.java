package dev.aimesh.identity.x509;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.identity.TrustDomain;
import dev.aimesh.identity.ca.CaCredential;
import dev.aimesh.identity.ca.RootCertificates;
import dev.aimesh.identity.x509.X509SvidVerifier.Role;
import dev.aimesh.identity.x509.X509SvidVerifier.Verification;

/** Certificates chained to the mesh root but weaker than the profile are refused, each with its reason. */
class CertificateProfileTest {
    private static final TrustDomain TD = TrustDomain.parse("example.org");
    private static final SpiffeId ID = SpiffeId.forWorkload(TD, "apps", "client");
    private static final Instant NOW = Instant.now();
    private static final CaCredential CA = RootCertificates.create(TD, NOW.minusSeconds(60), Duration.ofDays(1));
    private static final TrustBundle BUNDLE = new TrustBundle(1, List.of(CA.root()));

    private static Verification verify(X509Certificate... chain) {
        return X509SvidVerifier.verify(List.of(chain), BUNDLE, TD, Role.CLIENT, NOW, Set.of());
    }

    private static X509Certificate leaf(KeyPair keys, String algorithm) throws Exception {
        return CraftedCertificates.leaf(CA.root(), CA.key(), keys.getPublic(), ID, algorithm, NOW.minusSeconds(10),
                NOW.plus(Duration.ofHours(1)));
    }

    private static void assertRefused(Verification v, String reason) {
        assertThat(v).isInstanceOfSatisfying(Verification.Rejected.class, r -> {
            assertThat(r.reason()).contains(reason);
            assertThat(r.problem()).isEqualTo(CertificateProblem.BAD_CERTIFICATE);
        });
    }

    @Test
    void keysAndSignaturesOfTheProfileAreAccepted() throws Exception {
        assertThat(verify(leaf(CraftedCertificates.ec("secp256r1"), "SHA256withECDSA"))).isInstanceOf(Verification.Verified.class);
        assertThat(verify(leaf(CraftedCertificates.ec("secp384r1"), "SHA384withECDSA"))).isInstanceOf(Verification.Verified.class);
        assertThat(verify(leaf(CraftedCertificates.rsa(2048), "SHA256withECDSA"))).isInstanceOf(Verification.Verified.class);
        KeyPair rsaCa = CraftedCertificates.rsa(2048);
        X509Certificate intermediate = CraftedCertificates.intermediate(CA.root(), CA.key(), rsaCa.getPublic(), "SHA512withECDSA",
                NOW.minusSeconds(10), NOW.plus(Duration.ofHours(2)));
        for (String algorithm : List.of("SHA256withRSA", "SHA384withRSA", "SHA256withRSAandMGF1")) {
            X509Certificate viaRsa = CraftedCertificates.leaf(intermediate, rsaCa.getPrivate(),
                    CraftedCertificates.ec("secp256r1").getPublic(), ID, algorithm, NOW.minusSeconds(10), NOW.plus(Duration.ofHours(1)));
            assertThat(verify(viaRsa, intermediate)).as(algorithm).isInstanceOf(Verification.Verified.class);
        }
    }

    @Test
    void aSmallRsaKeyIsRefused() throws Exception {
        assertRefused(verify(leaf(CraftedCertificates.rsa(1024), "SHA256withECDSA")),
                "has an RSA key of 1024 bits (expected: RSA >= 2048 bits, or ECDSA P-256 or P-384)");
    }

    @Test
    void otherCurvesAreRefused() throws Exception {
        assertRefused(verify(leaf(CraftedCertificates.ec("secp256k1"), "SHA256withECDSA")), "has an EC key on secp256k1");
        assertRefused(verify(leaf(CraftedCertificates.ec("secp224r1"), "SHA256withECDSA")), "has an EC key on P-224");
        assertRefused(verify(leaf(CraftedCertificates.ec("brainpoolP256r1"), "SHA256withECDSA")), "has an EC key on curve 1.3.36");
    }

    @Test
    void sha1AndMd5SignaturesAreRefused() throws Exception {
        assertRefused(verify(leaf(CraftedCertificates.ec("secp256r1"), "SHA1withECDSA")),
                "has a SHA1withECDSA signature (expected: ECDSA or RSA with SHA-256, SHA-384 or SHA-512)");
        KeyPair rsaCa = CraftedCertificates.rsa(2048);
        X509Certificate intermediate = CraftedCertificates.intermediate(CA.root(), CA.key(), rsaCa.getPublic(), "SHA256withECDSA",
                NOW.minusSeconds(10), NOW.plus(Duration.ofHours(2)));
        for (String algorithm : List.of("SHA1withRSA", "MD5withRSA", "SHA1withRSAandMGF1")) {
            X509Certificate weak = CraftedCertificates.leaf(intermediate, rsaCa.getPrivate(),
                    CraftedCertificates.ec("secp256r1").getPublic(), ID, algorithm, NOW.minusSeconds(10), NOW.plus(Duration.ofHours(1)));
            assertRefused(verify(weak, intermediate), "the certificate of " + ID + " has a");
        }
    }

    @Test
    void aWeakIntermediateIsRefused() throws Exception {
        KeyPair weakCa = CraftedCertificates.rsa(1024);
        X509Certificate intermediate = CraftedCertificates.intermediate(CA.root(), CA.key(), weakCa.getPublic(), "SHA256withECDSA",
                NOW.minusSeconds(10), NOW.plus(Duration.ofHours(2)));
        X509Certificate leaf = CraftedCertificates.leaf(intermediate, weakCa.getPrivate(), CraftedCertificates.ec("secp256r1").getPublic(),
                ID, "SHA256withRSA", NOW.minusSeconds(10), NOW.plus(Duration.ofHours(1)));
        assertRefused(verify(leaf, intermediate), "the intermediate CA certificate 'CN=intermediate");
        assertRefused(verify(leaf, intermediate), "has an RSA key of 1024 bits");

        X509Certificate sha1Intermediate = CraftedCertificates.intermediate(CA.root(), CA.key(),
                CraftedCertificates.rsa(2048).getPublic(), "SHA1withECDSA", NOW.minusSeconds(10), NOW.plus(Duration.ofHours(2)));
        assertRefused(verify(leaf(CraftedCertificates.ec("secp256r1"), "SHA256withECDSA"), sha1Intermediate), "has a SHA1withECDSA signature");
    }
}
