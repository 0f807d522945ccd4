package dev.aimesh.identity.x509;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/** PEM reading and writing for certificates, private keys and CSRs. */
public final class Pem {
    private static final String DASHES = "-----";
    private static final String BEGIN = "-----BEGIN ";
    private static final String END = "-----END ";
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
        for (Block block : blocks(pem)) {
            if (!block.label().equals("CERTIFICATE") && !block.label().equals("X509 CERTIFICATE")) {
                throw new CertificateException("expected a CERTIFICATE block, found " + block.label());
            }
            try {
                result.add(certificate(block.der()));
            } catch (CertificateException | RuntimeException e) {
                throw new CertificateException("not a valid PEM certificate: " + e.getMessage(), e);
            }
        }
        if (result.isEmpty()) {
            throw new CertificateException("no PEM certificate found");
        }
        return result;
    }

    /**
     * The first private key in the text. PKCS#8 ("PRIVATE KEY", what aimesh writes) is read with the JDK, so a
     * proxy resuming from its state directory does not load BouncyCastle; the older OpenSSL forms a CA's key
     * may come in ("EC PRIVATE KEY", "RSA PRIVATE KEY") are left to BouncyCastle.
     */
    public static PrivateKey parsePrivateKey(String pem) throws CertificateException {
        List<Block> blocks = blocks(pem);
        if (blocks.isEmpty()) {
            throw new CertificateException("no PEM private key found");
        }
        Block first = blocks.get(0);
        if (!first.label().equals("PRIVATE KEY")) {
            return LegacyPemKeys.parse(pem);
        }
        byte[] pkcs8 = first.der();
        String oid;
        try {
            oid = Der.read(pkcs8).children().get(1).children().get(0).oid();
        } catch (RuntimeException e) {
            throw new CertificateException("not a valid PEM private key: " + e.getMessage(), e);
        }
        String algorithm = switch (oid) {
            case "1.2.840.10045.2.1" -> "EC";
            case "1.2.840.113549.1.1.1" -> "RSA";
            case "1.2.840.113549.1.1.10" -> "RSASSA-PSS";
            case "1.3.101.112", "1.3.101.113" -> "EdDSA";
            default -> throw new CertificateException("not a valid PEM private key: unsupported key algorithm " + oid);
        };
        return privateKey(pkcs8, algorithm);
    }

    /** One {@code -----BEGIN label-----} ... {@code -----END label-----} block, decoded. */
    private record Block(String label, byte[] der) {}

    /** The blocks of the text in order; text around them is ignored, as OpenSSL does. */
    private static List<Block> blocks(String pem) throws CertificateException {
        List<Block> blocks = new ArrayList<>();
        String label = null;
        StringBuilder body = new StringBuilder();
        for (String line : pem.split("\r?\n")) {
            String trimmed = line.strip();
            if (label == null) {
                if (trimmed.startsWith(BEGIN) && trimmed.endsWith(DASHES)) {
                    label = trimmed.substring(BEGIN.length(), trimmed.length() - DASHES.length());
                    body.setLength(0);
                }
            } else if (trimmed.equals(END + label + DASHES)) {
                try {
                    blocks.add(new Block(label, java.util.Base64.getMimeDecoder().decode(body.toString())));
                } catch (IllegalArgumentException e) {
                    throw new CertificateException("not valid PEM: the " + label + " block is not base64 (" + e.getMessage() + ")");
                }
                label = null;
            } else if (trimmed.indexOf(':') < 0) { // RFC 1421 headers (Proc-Type: ...) are not part of the body
                body.append(trimmed);
            }
        }
        if (label != null) {
            throw new CertificateException("not valid PEM: the " + label + " block has no END line");
        }
        return blocks;
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
