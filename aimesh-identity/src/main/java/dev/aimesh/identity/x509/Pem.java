package dev.aimesh.identity.x509;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/** PEM reading and writing for certificates, private keys and CSRs. */
public final class Pem {
    private Pem() {}

    public static String certificates(List<X509Certificate> certificates) {
        StringBuilder pem = new StringBuilder();
        for (X509Certificate certificate : certificates) {
            try {
                pem.append(block("CERTIFICATE", certificate.getEncoded()));
            } catch (java.security.cert.CertificateEncodingException e) {
                throw new IllegalArgumentException("cannot encode " + certificate.getSubjectX500Principal(), e);
            }
        }
        return pem.toString();
    }

    public static String privateKey(PrivateKey key) {
        // PKCS#8 "PRIVATE KEY", which openssl, curl, nginx and the JDK all read.
        return block("PRIVATE KEY", key.getEncoded());
    }

    private static String block(String label, byte[] der) {
        String body = java.util.Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                .encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
    }

    public static String csr(PKCS10CertificationRequest csr) {
        try {
            return block("CERTIFICATE REQUEST", csr.getEncoded());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every certificate in the text, in order; an exception names what was wrong. */
    public static List<X509Certificate> parseCertificates(String pem) throws CertificateException {
        List<X509Certificate> result = new ArrayList<>();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object o;
            while ((o = parser.readObject()) != null) {
                if (!(o instanceof org.bouncycastle.cert.X509CertificateHolder holder)) {
                    throw new CertificateException("expected a CERTIFICATE block, found " + o.getClass().getSimpleName());
                }
                result.add(certificate(holder.getEncoded()));
            }
        } catch (IOException | RuntimeException e) {
            throw new CertificateException("not a valid PEM certificate: " + e.getMessage(), e);
        }
        if (result.isEmpty()) {
            throw new CertificateException("no PEM certificate found");
        }
        return result;
    }

    public static PrivateKey parsePrivateKey(String pem) throws CertificateException {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object o = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (o instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            if (o instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair).getPrivate();
            }
            throw new CertificateException(o == null ? "no PEM private key found"
                    : "expected a PRIVATE KEY block, found " + o.getClass().getSimpleName());
        } catch (IOException | RuntimeException e) {
            throw new CertificateException("not a valid PEM private key: " + e.getMessage(), e);
        }
    }

    public static X509Certificate certificate(byte[] der) throws CertificateException {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    }

    public static PrivateKey privateKey(byte[] pkcs8, String algorithm) throws CertificateException {
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (java.security.GeneralSecurityException e) {
            throw new CertificateException("not a valid " + algorithm + " private key", e);
        }
    }
}
