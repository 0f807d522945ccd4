package dev.aimesh.core.identity;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * A SPIFFE ID: {@code spiffe://<trust-domain><path>}, validated per the SPIFFE ID specification: scheme
 * {@code spiffe} in lower case, a valid trust domain, no port, user info, query, fragment or
 * percent-encoding, path segments of letters, digits, '.', '-' and '_' that are neither empty nor '.'
 * or '..', no trailing '/', and at most 2048 bytes in all.
 */
public final class SpiffeId {
    static final int MAX_LENGTH = 2048;
    private static final String SCHEME = "spiffe://";

    private final TrustDomain trustDomain;
    private final String path;
    private final String uri;

    private SpiffeId(TrustDomain trustDomain, String path) {
        this.trustDomain = trustDomain;
        this.path = path;
        this.uri = SCHEME + trustDomain.name() + path;
    }

    public static SpiffeId parse(String uri) {
        requireNonNull(uri, "uri");
        if (uri.isEmpty()) {
            throw new InvalidSpiffeIdException(uri, "it is empty");
        }
        if (uri.length() > MAX_LENGTH) {
            throw new InvalidSpiffeIdException(uri, "it is longer than " + MAX_LENGTH + " bytes");
        }
        if (!uri.startsWith(SCHEME)) {
            String rule = uri.regionMatches(true, 0, SCHEME, 0, SCHEME.length())
                    ? "the scheme must be 'spiffe' in lower case"
                    : "it does not start with 'spiffe://'";
            throw new InvalidSpiffeIdException(uri, rule);
        }
        int pathStart = uri.indexOf('/', SCHEME.length());
        String domain = pathStart < 0 ? uri.substring(SCHEME.length()) : uri.substring(SCHEME.length(), pathStart);
        TrustDomain.validate(uri, domain);
        String path = pathStart < 0 ? "" : uri.substring(pathStart);
        validatePath(uri, path);
        return new SpiffeId(TrustDomain.parse(domain), path);
    }

    /** Parses without throwing, for callers that treat a bad ID as "no identity". */
    public static Optional<SpiffeId> tryParse(String uri) {
        try {
            return Optional.of(parse(uri));
        } catch (InvalidSpiffeIdException e) {
            return Optional.empty();
        }
    }

    /** An ID in the given trust domain with the given path ("" or "/seg/seg..."). */
    public static SpiffeId of(TrustDomain trustDomain, String path) {
        requireNonNull(trustDomain, "trustDomain");
        requireNonNull(path, "path");
        validatePath(SCHEME + trustDomain.name() + path, path);
        if (SCHEME.length() + trustDomain.name().length() + path.length() > MAX_LENGTH) {
            throw new InvalidSpiffeIdException(SCHEME + trustDomain.name() + path, "it is longer than " + MAX_LENGTH + " bytes");
        }
        return new SpiffeId(trustDomain, path);
    }

    /** Istio's workload identity form: {@code spiffe://<td>/ns/<namespace>/sa/<serviceAccount>}. */
    public static SpiffeId forWorkload(TrustDomain trustDomain, String namespace, String serviceAccount) {
        return of(trustDomain, "/ns/" + namespace + "/sa/" + serviceAccount);
    }

    private static void validatePath(String input, String path) {
        if (path.isEmpty()) {
            return;
        }
        if (path.charAt(0) != '/') {
            throw new InvalidSpiffeIdException(input, "the path must start with '/'");
        }
        int segmentStart = 1;
        for (int i = 1; i <= path.length(); i++) {
            if (i == path.length() || path.charAt(i) == '/') {
                checkSegment(input, path, segmentStart, i);
                segmentStart = i + 1;
                continue;
            }
            char c = path.charAt(i);
            if (!isPathChar(c)) {
                throw new InvalidSpiffeIdException(input, TrustDomain.describe(c) + " in the path"
                        + " (expected: a-z, A-Z, 0-9, '.', '-', '_')");
            }
        }
    }

    private static void checkSegment(String input, String path, int start, int end) {
        int length = end - start;
        if (length == 0) {
            throw new InvalidSpiffeIdException(input, end == path.length()
                    ? "the path ends with '/'" : "the path has an empty segment ('//')");
        }
        if (length == 1 && path.charAt(start) == '.') {
            throw new InvalidSpiffeIdException(input, "the path has a '.' segment");
        }
        if (length == 2 && path.charAt(start) == '.' && path.charAt(start + 1) == '.') {
            throw new InvalidSpiffeIdException(input, "the path has a '..' segment");
        }
    }

    private static boolean isPathChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '.' || c == '-' || c == '_';
    }

    public TrustDomain trustDomain() {
        return trustDomain;
    }

    /** The path, "" or starting with '/'. */
    public String path() {
        return path;
    }

    /** The ID as Istio's principals name it: without {@code spiffe://}. */
    public String principal() {
        return uri.substring(SCHEME.length());
    }

    /** The namespace of a {@code /ns/<namespace>/...} path. */
    public Optional<String> namespace() {
        if (!path.startsWith("/ns/")) {
            return Optional.empty();
        }
        int end = path.indexOf('/', 4);
        return Optional.of(end < 0 ? path.substring(4) : path.substring(4, end));
    }

    public boolean memberOf(TrustDomain domain) {
        return trustDomain.equals(domain);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SpiffeId other && uri.equals(other.uri);
    }

    @Override
    public int hashCode() {
        return uri.hashCode();
    }

    /** The URI form, {@code spiffe://td/path}. */
    @Override
    public String toString() {
        return uri;
    }
}
