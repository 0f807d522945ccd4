package dev.aimesh.identity.ca;

import java.math.BigInteger;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import dev.aimesh.identity.x509.Keys;
import dev.aimesh.identity.x509.Pem;

/** An intermediate CA signed by a root, as a user with their own PKI would bring it. */
public final class TestIntermediates {
    private TestIntermediates() {}

    public static CaCredential signedBy(CaCredential root, Instant now, Duration lifetime) throws Exception {
        KeyPair keys = Keys.newP256();
        var builder = new JcaX509v3CertificateBuilder(
                X500Name.getInstance(root.root().getSubjectX500Principal().getEncoded()), BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minusSeconds(60)), Date.from(now.plus(lifetime)), new X500Name("O=corp,CN=mesh intermediate"),
                keys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        var cert = Pem.certificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(root.key())).getEncoded());
        return new CaCredential(keys.getPrivate(), List.of(cert, root.root()));
    }
}
