package dev.aimesh.identity.ca;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.identity.ca.IssueDecision.Reason;
import dev.aimesh.identity.x509.Keys;
import dev.aimesh.identity.x509.Pem;

/**
 * Turns a CSR into an X.509-SVID, or refuses it. The CSR must prove possession of an ECDSA P-256 key;
 * it may name no identity (a new workload does not know its own yet) or exactly the SPIFFE ID the caller
 * was granted, as its only SAN. Nothing else from the CSR (subject, other extensions) reaches the
 * certificate.
 */
public final class SvidIssuer {
    private static final Duration MAX_BACKDATE = Duration.ofSeconds(10);

    private SvidIssuer() {}

    /** What to issue: the identity the caller is entitled to, and for how long. */
    public record Request(byte[] csrDer, SpiffeId granted, Duration lifetime, Instant now) {}

    public static IssueDecision issue(Request request, CaCredential ca) {
        PKCS10CertificationRequest csr;
        try {
            csr = new PKCS10CertificationRequest(request.csrDer());
        } catch (IOException | RuntimeException e) {
            return new IssueDecision.Refused(Reason.MALFORMED_CSR, "the CSR is not valid DER PKCS#10");
        }
        PublicKey publicKey;
        try {
            publicKey = new JcaPKCS10CertificationRequest(csr).getPublicKey();
            if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(csr.getSubjectPublicKeyInfo()))) {
                return new IssueDecision.Refused(Reason.BAD_SIGNATURE,
                        "the CSR's signature does not verify with its public key (no proof of possession)");
            }
        } catch (GeneralSecurityException | OperatorCreationException | PKCSException | RuntimeException e) {
            return new IssueDecision.Refused(Reason.BAD_SIGNATURE, "the CSR's signature cannot be verified: " + e.getMessage());
        }
        if (!Keys.isP256(publicKey)) {
            return new IssueDecision.Refused(Reason.UNSUPPORTED_KEY, "the CSR's key is " + publicKey.getAlgorithm()
                    + ", expected ECDSA P-256");
        }
        Optional<IssueDecision.Refused> nameProblem = checkNames(csr, request.granted());
        if (nameProblem.isPresent()) {
            return nameProblem.get();
        }
        Instant now = request.now();
        if (!ca.notAfter().isAfter(now)) {
            return new IssueDecision.Refused(Reason.SIGNER_EXPIRED, "the signing certificate expired at " + ca.notAfter());
        }
        Instant notAfter = now.plus(request.lifetime());
        if (notAfter.isAfter(ca.notAfter())) {
            notAfter = ca.notAfter(); // never outlive the signer
        }
        Duration backdate = request.lifetime().dividedBy(10);
        Instant notBefore = now.minus(backdate.compareTo(MAX_BACKDATE) > 0 ? MAX_BACKDATE : backdate);
        try {
            X509Certificate leaf = sign(ca, publicKey, request.granted(), notBefore, notAfter);
            List<X509Certificate> chain = new ArrayList<>();
            chain.add(leaf);
            chain.addAll(ca.intermediates());
            return new IssueDecision.Issued(chain);
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("signing failed", e);
        }
    }

    private static Optional<IssueDecision.Refused> checkNames(PKCS10CertificationRequest csr, SpiffeId granted) {
        GeneralNames names;
        try {
            Extensions requested = csr.getRequestedExtensions();
            names = requested == null ? null : GeneralNames.fromExtensions(requested, Extension.subjectAlternativeName);
        } catch (RuntimeException e) {
            return Optional.of(new IssueDecision.Refused(Reason.MALFORMED_CSR, "the CSR's requested extensions are malformed"));
        }
        if (names == null || names.getNames().length == 0) {
            return Optional.empty(); // the granted identity is certified
        }
        List<String> uris = new ArrayList<>();
        for (GeneralName name : names.getNames()) {
            if (name.getTagNo() != GeneralName.uniformResourceIdentifier) {
                return Optional.of(new IssueDecision.Refused(Reason.FORBIDDEN_NAME, "the CSR asks for a "
                        + nameType(name.getTagNo()) + " SAN; an X.509-SVID carries only its SPIFFE ID"));
            }
            uris.add(name.getName().toString());
        }
        if (uris.size() > 1) {
            return Optional.of(new IssueDecision.Refused(Reason.FORBIDDEN_NAME, "the CSR asks for " + uris.size()
                    + " URI SANs; an X.509-SVID carries exactly one"));
        }
        Optional<SpiffeId> asked = SpiffeId.tryParse(uris.get(0));
        if (asked.isEmpty()) {
            return Optional.of(new IssueDecision.Refused(Reason.NO_SPIFFE_ID, "the CSR's URI SAN '" + uris.get(0)
                    + "' is not a SPIFFE ID"));
        }
        if (!asked.get().equals(granted)) {
            return Optional.of(new IssueDecision.Refused(Reason.IDENTITY_NOT_GRANTED, "the CSR asks for " + asked.get()
                    + " but the caller may only be " + granted));
        }
        return Optional.empty();
    }

    private static String nameType(int tag) {
        return switch (tag) {
            case GeneralName.dNSName -> "DNS name";
            case GeneralName.iPAddress -> "IP address";
            case GeneralName.rfc822Name -> "email";
            case GeneralName.directoryName -> "directory name";
            default -> "type " + tag;
        };
    }

    private static X509Certificate sign(CaCredential ca, PublicKey publicKey, SpiffeId id, Instant notBefore,
            Instant notAfter) throws GeneralSecurityException, OperatorCreationException, IOException {
        X509Certificate issuer = ca.signingCertificate();
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        // Issuer name from the encoded certificate: getName() reverses the RDN order and breaks chains.
        X500Name issuerName = X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded());
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName, RootCertificates.serial(),
                Date.from(notBefore), Date.from(notAfter), new X500Name("O=aimesh"), publicKey)
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.keyUsage, true,
                        new KeyUsage(KeyUsage.digitalSignature))
                .addExtension(Extension.extendedKeyUsage, false,
                        new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                .addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, id.toString())))
                .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(publicKey))
                .addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(issuer));
        var signer = new JcaContentSignerBuilder(Keys.signatureAlgorithm(ca.key())).build(ca.key());
        try {
            return Pem.certificate(builder.build(signer).getEncoded());
        } catch (CertificateException e) {
            throw new GeneralSecurityException(e);
        }
    }
}
