package dev.aimesh.identity.ca;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import dev.aimesh.core.identity.TrustDomain;
import dev.aimesh.identity.x509.Fingerprints;
import dev.aimesh.identity.x509.Keys;
import dev.aimesh.identity.x509.Pem;

/** Creates self-signed ECDSA P-256 roots for a trust domain. */
public final class RootCertificates {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HHmmss").withZone(ZoneOffset.UTC);

    private RootCertificates() {}

    public static CaCredential create(TrustDomain trustDomain, Instant now, Duration lifetime) {
        KeyPair keys = Keys.newP256();
        // The key hash makes the name unique: two roots with one name would confuse path building.
        String keyId = HexFormat.of().formatHex(Fingerprints.sha256(keys.getPublic().getEncoded()), 0, 4);
        X500Name subject = new X500Name("O=aimesh,OU=" + trustDomain.name() + ",CN=aimesh root " + STAMP.format(now) + " " + keyId);
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(),
                    Date.from(now.minusSeconds(60)), Date.from(now.plus(lifetime)), subject, keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()))
                    // The trust domain's own SPIFFE ID, as the SPIFFE spec suggests for signing certificates.
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
                            new GeneralName(GeneralName.uniformResourceIdentifier, trustDomain.id().toString())));
            var signer = new JcaContentSignerBuilder(Keys.signatureAlgorithm(keys.getPrivate())).build(keys.getPrivate());
            X509Certificate root = Pem.certificate(builder.build(signer).getEncoded());
            return new CaCredential(keys.getPrivate(), List.of(root));
        } catch (java.io.IOException | OperatorCreationException | CertificateException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot create a root certificate", e);
        }
    }

    /** A positive 128-bit random serial, as CAs should use (RFC 5280 allows up to 20 octets). */
    static BigInteger serial() {
        return new BigInteger(127, RANDOM).setBit(120);
    }
}
