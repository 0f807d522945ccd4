package dev.aimesh.identity.x509;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * Checks the syntax of email names that the JDK's path validator accepts without looking: a malformed
 * name cannot be shown to lie within a permitted subtree, so RFC 5280 says the path must fail. The name
 * constraints are read with {@link Der} (the JDK alone): this runs for every chain a peer presents.
 */
final class NameSyntax {
    private static final String NAME_CONSTRAINTS = "2.5.29.30";
    private static final int PERMITTED = 0xa0;
    private static final int EXCLUDED = 0xa1;
    private static final int RFC822_NAME = 0x81;

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
            // NameConstraints ::= SEQUENCE { permittedSubtrees [0] GeneralSubtrees OPTIONAL, excludedSubtrees [1] ... },
            // GeneralSubtree ::= SEQUENCE { base GeneralName, ... }; an rfc822Name is [1] IMPLICIT IA5String.
            Der.Element octets = Der.read(extension);
            Der.Element constraints = Der.read(octets.content());
            if (octets.tag() != Der.OCTET_STRING || constraints.tag() != Der.SEQUENCE) {
                return Optional.of("malformed name constraints");
            }
            for (Der.Element subtrees : constraints.children()) {
                if (subtrees.tag() != PERMITTED && subtrees.tag() != EXCLUDED) {
                    return Optional.of("malformed name constraints");
                }
                for (Der.Element subtree : subtrees.children()) {
                    Der.Element base = subtree.children().get(0);
                    if (base.tag() == RFC822_NAME && !isEmailConstraint(base.latin1())) {
                        return Optional.of("malformed email name constraint '" + base.latin1() + "'");
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
