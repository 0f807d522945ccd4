package dev.aimesh.identity.ca;

import java.io.IOException;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import dev.aimesh.identity.x509.Keys;
import dev.aimesh.identity.x509.Pem;

/**
 * A root certified by another authority: same subject and key as the root, issued by the other one's signing
 * certificate. A party that trusts only the issuer's root then finds a path to it from anything the root
 * signed, which is how the old root vouches for the new one during a rotation.
 */
final class CrossCertificates {
    private CrossCertificates() {}

    /** {@code root} certified by {@code issuer}, valid from a minute ago (clock skew) until {@code notAfter}. */
    static X509Certificate certify(X509Certificate root, CaCredential issuer, Instant now, Instant notAfter) {
        X509Certificate signer = issuer.signingCertificate();
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            // Names from the encoded certificates: the string form reverses the order and breaks the path.
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    X500Name.getInstance(signer.getSubjectX500Principal().getEncoded()), RootCertificates.serial(),
                    Date.from(now.minusSeconds(60)), Date.from(notAfter),
                    X500Name.getInstance(root.getSubjectX500Principal().getEncoded()), root.getPublicKey())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(root.getPublicKey()))
                    .addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(signer.getPublicKey()));
            byte[] san = root.getExtensionValue(Extension.subjectAlternativeName.getId());
            if (san != null) {
                builder.copyAndAddExtension(Extension.subjectAlternativeName, false,
                        new org.bouncycastle.cert.jcajce.JcaX509CertificateHolder(root));
            }
            var contentSigner = new JcaContentSignerBuilder(Keys.signatureAlgorithm(issuer.key())).build(issuer.key());
            return Pem.certificate(builder.build(contentSigner).getEncoded());
        } catch (IOException | OperatorCreationException | CertificateException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot certify the root " + root.getSubjectX500Principal() + " by "
                    + signer.getSubjectX500Principal(), e);
        }
    }
}
