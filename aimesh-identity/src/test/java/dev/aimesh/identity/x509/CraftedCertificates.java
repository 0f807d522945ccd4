package dev.aimesh.identity.x509;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import dev.aimesh.core.identity.SpiffeId;

/**
 * Certificates a brought-your-own CA could sign, chained to a chosen issuer, with any key and signature
 * algorithm: weaker than the mesh profile where a test needs it.
 */
public final class CraftedCertificates {
    private static final AtomicLong SERIALS = new AtomicLong(System.nanoTime());

    private CraftedCertificates() {}

    public static KeyPair rsa(int bits) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(bits);
        return generator.generateKeyPair();
    }

    public static KeyPair ec(String curve) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", "BC");
        generator.initialize(new ECGenParameterSpec(curve));
        return generator.generateKeyPair();
    }

    /** An SVID for {@code id} with {@code key}, signed by {@code issuer}'s key with {@code signatureAlgorithm}. */
    public static X509Certificate leaf(X509Certificate issuer, PrivateKey issuerKey, PublicKey key, SpiffeId id,
            String signatureAlgorithm, Instant notBefore, Instant notAfter) throws Exception {
        var builder = new JcaX509v3CertificateBuilder(X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded()),
                BigInteger.valueOf(SERIALS.incrementAndGet()), Date.from(notBefore), Date.from(notAfter), new X500Name("O=crafted"), key)
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
                .addExtension(Extension.extendedKeyUsage, false,
                        new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                .addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, id.toString())));
        return sign(builder, issuerKey, signatureAlgorithm);
    }

    /** An intermediate CA with {@code key}, signed by {@code issuer}'s key with {@code signatureAlgorithm}. */
    public static X509Certificate intermediate(X509Certificate issuer, PrivateKey issuerKey, PublicKey key,
            String signatureAlgorithm, Instant notBefore, Instant notAfter) throws Exception {
        var builder = new JcaX509v3CertificateBuilder(X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded()),
                BigInteger.valueOf(SERIALS.incrementAndGet()), Date.from(notBefore), Date.from(notAfter),
                new X500Name("O=crafted,CN=intermediate " + SERIALS.get()), key)
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        return sign(builder, issuerKey, signatureAlgorithm);
    }

    private static X509Certificate sign(org.bouncycastle.cert.X509v3CertificateBuilder builder, PrivateKey key, String algorithm) throws Exception {
        var signer = new JcaContentSignerBuilder(algorithm).setProvider(provider()).build(key);
        return Pem.certificate(builder.build(signer).getEncoded());
    }

    private static java.security.Provider provider() {
        java.security.Provider bc = java.security.Security.getProvider("BC");
        if (bc == null) {
            bc = new org.bouncycastle.jce.provider.BouncyCastleProvider();
            java.security.Security.addProvider(bc);
        }
        return bc;
    }

    static {
        provider();
    }
}
