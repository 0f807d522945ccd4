package dev.aimesh.identity.x509;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Reads the subject alternative names of a certificate by type. */
public final class SubjectAltNames {
    // Types from RFC 5280 GeneralName.
    public static final int RFC822 = 1;
    public static final int DNS = 2;
    public static final int URI = 6;
    public static final int IP = 7;

    private SubjectAltNames() {}

    /** One SAN: its GeneralName type and its text. */
    public record Name(int type, String value) {}

    public static List<Name> of(X509Certificate certificate) throws CertificateParsingException {
        Collection<List<?>> names = certificate.getSubjectAlternativeNames();
        List<Name> result = new ArrayList<>();
        if (names != null) {
            for (List<?> entry : names) {
                int type = (Integer) entry.get(0);
                Object value = entry.get(1);
                result.add(new Name(type, value instanceof String s ? s : "<binary>"));
            }
        }
        return result;
    }

    public static List<String> uris(X509Certificate certificate) throws CertificateParsingException {
        return of(certificate).stream().filter(n -> n.type() == URI).map(Name::value).toList();
    }
}
