package dev.aimesh.identity.x509;

import java.io.IOException;
import java.security.KeyPair;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import dev.aimesh.core.identity.SpiffeId;

/** Builds PKCS#10 certificate signing requests; the key stays with the caller. */
public final class CertificateRequests {
    private CertificateRequests() {}

    /** A CSR for an X.509-SVID: the SPIFFE ID as the only SAN, signed with the key it certifies. */
    public static PKCS10CertificationRequest forSpiffeId(KeyPair keyPair, SpiffeId id) {
        return withNames(keyPair, new GeneralName(GeneralName.uniformResourceIdentifier, id.toString()));
    }

    /** A CSR with arbitrary SANs (tests use it to ask for what must be refused). */
    public static PKCS10CertificationRequest withNames(KeyPair keyPair, GeneralName... names) {
        try {
            JcaPKCS10CertificationRequestBuilder builder =
                    new JcaPKCS10CertificationRequestBuilder(new X500Name("O=aimesh"), keyPair.getPublic());
            if (names.length > 0) {
                ExtensionsGenerator extensions = new ExtensionsGenerator();
                extensions.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
                builder.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate());
            }
            return builder.build(new JcaContentSignerBuilder(Keys.signatureAlgorithm(keyPair.getPrivate()))
                    .build(keyPair.getPrivate()));
        } catch (IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot build a CSR", e);
        }
    }
}
