package dev.aimesh.core.authz;

import java.util.List;
import dev.aimesh.core.identity.SpiffeId;

/**
 * A principal as policies write it: Istio's {@code <trust-domain>/ns/<namespace>/sa/<service-account>}
 * (a SPIFFE ID without {@code spiffe://}), {@code *}, or a prefix ({@code cluster.local/ns/apps/*}) or
 * suffix ({@code * /sa/chat}) of that form. Anything that no workload identity can ever have is refused,
 * since it would match nobody: {@code apps/chat}, {@code ns/apps/sa/chat}, {@code cluster.local/apps/chat},
 * a prefix such as {@code cluster.local/apps/*} or a suffix such as {@code *apps/chat}.
 */
public final class PrincipalPattern {
    private static final String FORM = "<trust-domain>/ns/<namespace>/sa/<service-account>";
    // The segments of a principal, left to right; null stands for a name (trust domain, namespace, account).
    private static final List<String> SHAPE = java.util.Arrays.asList(null, "ns", null, "sa", null);

    private PrincipalPattern() {}

    /** @throws IllegalArgumentException saying why {@code text} can never name a workload */
    public static StringMatch parse(String text) {
        if (text.startsWith("spiffe://")) {
            throw new IllegalArgumentException("'" + text + "': write principals without 'spiffe://' (Istio's form: "
                    + text.substring("spiffe://".length()) + ")");
        }
        StringMatch match = StringMatch.parse(text);
        boolean fits = switch (match) {
            case StringMatch.Present p -> true;
            case StringMatch.Exact e -> exact(text);
            case StringMatch.Prefix p -> prefix(p.prefix());
            case StringMatch.Suffix s -> suffix(s.suffix());
        };
        if (!fits) {
            throw new IllegalArgumentException(match instanceof StringMatch.Exact
                    ? "'" + text + "' is not a principal (expected: " + FORM + ")"
                    : "'" + text + "' can match no principal (expected: a prefix or suffix of " + FORM + ", with '*')");
        }
        return match;
    }

    private static boolean exact(String text) {
        String[] segments = text.split("/", -1);
        return segments.length == SHAPE.size() && segments[1].equals("ns") && segments[3].equals("sa")
                && SpiffeId.tryParse("spiffe://" + text).isPresent();
    }

    /** Whether some principal starts with {@code prefix}: whole segments fit the shape, the last may be partial. */
    private static boolean prefix(String prefix) {
        String[] segments = prefix.split("/", -1);
        if (segments.length > SHAPE.size()) {
            return false;
        }
        for (int k = 0; k < segments.length; k++) {
            boolean partial = k == segments.length - 1;
            if (!fits(segments[k], SHAPE.get(k), partial, k == 0, literal -> literal.startsWith(segments[segments.length - 1]))) {
                return false;
            }
        }
        return true;
    }

    /** Whether some principal ends with {@code suffix}: whole segments fit the shape, the first may be partial. */
    private static boolean suffix(String suffix) {
        String[] segments = suffix.split("/", -1);
        if (segments.length > SHAPE.size()) {
            return false;
        }
        int offset = SHAPE.size() - segments.length;
        for (int k = 0; k < segments.length; k++) {
            boolean partial = k == 0;
            if (!fits(segments[k], SHAPE.get(offset + k), partial, offset + k == 0, literal -> literal.endsWith(segments[0]))) {
                return false;
            }
        }
        return true;
    }

    private static boolean fits(String segment, String literal, boolean partial, boolean trustDomain,
            java.util.function.Predicate<String> partialLiteral) {
        if (literal != null) {
            return partial ? partialLiteral.test(literal) : segment.equals(literal);
        }
        if (!segment.chars().allMatch(c -> trustDomain ? trustDomainChar(c) : pathChar(c))) {
            return false;
        }
        return partial || !segment.isEmpty() && (trustDomain || !segment.equals(".") && !segment.equals(".."));
    }

    private static boolean trustDomainChar(int c) {
        return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_';
    }

    private static boolean pathChar(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_';
    }

    /**
     * Whether {@code match} can name a caller of a mesh whose trust domain is {@code trustDomain}; Istio's
     * {@code cluster.local} stands for the mesh's own, whatever it is.
     */
    public static boolean canMatchTrustDomain(StringMatch match, String trustDomain) {
        return switch (match) {
            case StringMatch.Present p -> true;
            case StringMatch.Exact e -> ownDomain(e.value().substring(0, e.value().indexOf('/')), trustDomain);
            case StringMatch.Prefix p -> p.prefix().indexOf('/') < 0
                    ? trustDomain.startsWith(p.prefix()) || ISTIO_DEFAULT.startsWith(p.prefix())
                    : ownDomain(p.prefix().substring(0, p.prefix().indexOf('/')), trustDomain);
            case StringMatch.Suffix s -> s.suffix().split("/", -1).length < SHAPE.size()
                    || trustDomain.endsWith(s.suffix().substring(0, s.suffix().indexOf('/')))
                    || ISTIO_DEFAULT.endsWith(s.suffix().substring(0, s.suffix().indexOf('/')));
        };
    }

    private static final String ISTIO_DEFAULT = "cluster.local";

    private static boolean ownDomain(String domain, String trustDomain) {
        return domain.equals(trustDomain) || domain.equals(ISTIO_DEFAULT);
    }
}
