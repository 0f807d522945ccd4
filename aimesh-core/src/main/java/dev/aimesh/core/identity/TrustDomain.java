package dev.aimesh.core.identity;

import static java.util.Objects.requireNonNull;

/**
 * A SPIFFE trust domain name, such as {@code cluster.local}: lower-case letters, digits, '.', '-' and
 * '_', at most 255 characters. Parse-only; two instances are equal when their names are.
 */
public final class TrustDomain {
    static final int MAX_LENGTH = 255;

    private final String name;

    private TrustDomain(String name) {
        this.name = name;
    }

    /** Parses a bare trust domain name ({@code example.org}, not {@code spiffe://example.org}). */
    public static TrustDomain parse(String name) {
        requireNonNull(name, "name");
        if (name.startsWith("spiffe://")) {
            throw new InvalidSpiffeIdException(name, "a trust domain is a bare name, without 'spiffe://'");
        }
        validate(name, name);
        return new TrustDomain(name);
    }

    static void validate(String input, String name) {
        if (name.isEmpty()) {
            throw new InvalidSpiffeIdException(input, "the trust domain is empty");
        }
        if (name.length() > MAX_LENGTH) {
            throw new InvalidSpiffeIdException(input, "the trust domain is longer than " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!isTrustDomainChar(c)) {
                throw new InvalidSpiffeIdException(input, describe(c) + " at position " + i + " of the trust domain"
                        + " (expected: a-z, 0-9, '.', '-', '_')");
            }
        }
    }

    private static boolean isTrustDomainChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
    }

    static String describe(char c) {
        return switch (c) {
            case ':' -> "a port or scheme separator ':'";
            case '@' -> "user info '@'";
            case '%' -> "percent-encoding '%'";
            case '?' -> "a query '?'";
            case '#' -> "a fragment '#'";
            default -> (c >= 'A' && c <= 'Z') ? "upper-case letter '" + c + "'"
                    : (c < 0x20 || c > 0x7e) ? String.format("character U+%04X", (int) c)
                    : "character '" + c + "'";
        };
    }

    public String name() {
        return name;
    }

    /** The SPIFFE ID of the trust domain itself: {@code spiffe://<name>}. */
    public SpiffeId id() {
        return SpiffeId.of(this, "");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrustDomain other && name.equals(other.name);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return name;
    }
}
