package dev.aimesh.identity.x509;

import java.io.IOException;
import java.io.StringReader;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Private keys in the forms older than PKCS#8 ("EC PRIVATE KEY", "RSA PRIVATE KEY"), read with BouncyCastle:
 * a CA key brought by an operator may come so. Kept apart from {@link Pem} so that reading aimesh's own PKCS#8
 * keys never loads BouncyCastle.
 */
final class LegacyPemKeys {
    private LegacyPemKeys() {}

    static PrivateKey parse(String pem) throws CertificateException {
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
}
