package dev.aimesh.core.resource;

import java.util.regex.Pattern;

/** Kubernetes' rules for object names, which double as SPIFFE path segments in workload IDs. */
public final class Names {
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private Names() {}

    /** A namespace: a DNS-1123 label. */
    public static String requireLabel(String value) {
        if (value.length() > 63 || !DNS_LABEL.matcher(value).matches()) {
            throw new IllegalArgumentException("'" + value + "' is not a valid name (expected: at most 63"
                    + " lower-case letters, digits and '-', starting and ending with a letter or digit)");
        }
        return value;
    }

    /** An object name: a DNS-1123 subdomain. */
    public static String requireSubdomain(String value) {
        if (value.length() > 253 || !DNS_SUBDOMAIN.matcher(value).matches()) {
            throw new IllegalArgumentException("'" + value + "' is not a valid name (expected: lower-case letters,"
                    + " digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters)");
        }
        return value;
    }
}
