package dev.aimesh.identity.x509;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.NameConstraints;

/**
 * Checks the syntax of email names that the JDK's path validator accepts without looking: a malformed
 * name cannot be shown to lie within a permitted subtree, so RFC 5280 says the path must fail.
 */
final class NameSyntax {
    private static final String NAME_CONSTRAINTS = "2.5.29.30";

    private NameSyntax() {}

    static Optional<String> check(X509Certificate certificate) {
        try {
            for (SubjectAltNames.Name name : SubjectAltNames.of(certificate)) {
                if (name.type() == SubjectAltNames.RFC822 && !isMailbox(name.value())) {
                    return Optional.of("malformed email SAN '" + name.value() + "'");
                }
            }
        } catch (CertificateParsingException e) {
            return Optional.of("malformed subject alternative names");
        }
        byte[] extension = certificate.getExtensionValue(NAME_CONSTRAINTS);
        if (extension == null) {
            return Optional.empty();
        }
        try {
            NameConstraints constraints = NameConstraints.getInstance(ASN1OctetString.getInstance(extension).getOctets());
            for (GeneralSubtree[] subtrees : new GeneralSubtree[][] {constraints.getPermittedSubtrees(), constraints.getExcludedSubtrees()}) {
                for (GeneralSubtree subtree : subtrees == null ? new GeneralSubtree[0] : subtrees) {
                    GeneralName base = subtree.getBase();
                    if (base.getTagNo() == GeneralName.rfc822Name && !isEmailConstraint(base.getName().toString())) {
                        return Optional.of("malformed email name constraint '" + base.getName() + "'");
                    }
                }
            }
        } catch (RuntimeException e) {
            return Optional.of("malformed name constraints");
        }
        return Optional.empty();
    }

    /** {@code local@domain} with exactly one '@'. */
    static boolean isMailbox(String value) {
        int at = value.indexOf('@');
        return at > 0 && at == value.lastIndexOf('@') && isDomain(value.substring(at + 1));
    }

    /** A mailbox, a host ({@code example.com}) or a domain suffix ({@code .example.com}). */
    static boolean isEmailConstraint(String value) {
        if (value.indexOf('@') >= 0) {
            return isMailbox(value);
        }
        return isDomain(value.startsWith(".") ? value.substring(1) : value);
    }

    private static boolean isDomain(String domain) {
        if (domain.isEmpty() || domain.length() > 253) {
            return false;
        }
        for (String label : domain.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!(Character.isLetterOrDigit(c) && c < 128) && c != '-') {
                    return false;
                }
            }
        }
        return true;
    }
}
