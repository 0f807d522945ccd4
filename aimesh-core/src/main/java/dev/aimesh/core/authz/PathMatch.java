package dev.aimesh.core.authz;

import java.util.ArrayList;
import java.util.List;

/**
 * A value of {@code paths} / {@code notPaths}: a string match, or an Istio path template whose segments
 * may be {@code {*}} (exactly one segment) or, as the last segment, {@code {**}} (the rest of the path after
 * its '/', which may be empty). Paths are compared after normalization ({@link dev.aimesh.core.http.RequestPath}).
 */
public final class PathMatch {
    private final String pattern;
    private final StringMatch plain;
    private final List<String> segments; // null for a plain match; "{*}" / "{**}" are the operators

    private PathMatch(String pattern, StringMatch plain, List<String> segments) {
        this.pattern = pattern;
        this.plain = plain;
        this.segments = segments;
    }

    public static PathMatch parse(String pattern) {
        if (!pattern.contains("{")) {
            if (!pattern.startsWith("/") && !pattern.startsWith("*")) {
                throw new IllegalArgumentException("'" + pattern + "' is not a path (it must start with '/', or '*' for a suffix)");
            }
            return new PathMatch(pattern, StringMatch.parse(pattern), null);
        }
        if (!pattern.startsWith("/")) {
            throw new IllegalArgumentException("the template '" + pattern + "' must start with '/'");
        }
        if (pattern.contains("*") && pattern.replace("{*}", "").replace("{**}", "").contains("*")) {
            throw new IllegalArgumentException("'" + pattern + "' mixes a template with a '*' glob; use one or the other");
        }
        List<String> segments = List.of(pattern.substring(1).split("/", -1));
        for (int i = 0; i < segments.size(); i++) {
            String s = segments.get(i);
            boolean operator = s.equals("{*}") || s.equals("{**}");
            if (!operator && (s.contains("{") || s.contains("}"))) {
                throw new IllegalArgumentException("'" + pattern + "': an operator must be a whole segment, {*} or {**}");
            }
            if (s.equals("{**}") && i != segments.size() - 1) {
                throw new IllegalArgumentException("'" + pattern + "': {**} may only be the last segment");
            }
        }
        return new PathMatch(pattern, null, segments);
    }

    public String pattern() {
        return pattern;
    }

    public boolean matches(String path) {
        if (plain != null) {
            return plain.matches(path);
        }
        if (!path.startsWith("/")) {
            return false;
        }
        List<String> parts = split(path);
        int n = segments.size();
        boolean tail = segments.get(n - 1).equals("{**}");
        int fixed = tail ? n - 1 : n;
        if (tail ? parts.size() <= fixed : parts.size() != fixed) { // {**} needs the '/' before it, as in Envoy
            return false;
        }
        for (int i = 0; i < fixed; i++) {
            String want = segments.get(i);
            String got = parts.get(i);
            if (want.equals("{*}") ? got.isEmpty() : !want.equals(got)) {
                return false;
            }
        }
        return true;
    }

    private static List<String> split(String path) {
        List<String> parts = new ArrayList<>(8);
        int start = 1;
        for (int i = 1; i <= path.length(); i++) {
            if (i == path.length() || path.charAt(i) == '/') {
                parts.add(path.substring(start, i));
                start = i + 1;
            }
        }
        return parts;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PathMatch p && pattern.equals(p.pattern);
    }

    @Override
    public int hashCode() {
        return pattern.hashCode();
    }

    @Override
    public String toString() {
        return pattern;
    }
}
