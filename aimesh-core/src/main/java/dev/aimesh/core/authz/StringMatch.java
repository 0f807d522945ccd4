package dev.aimesh.core.authz;

import java.util.Locale;

/**
 * One value of an Istio string list: {@code "abc"} exact, {@code "abc*"} prefix, {@code "*abc"} suffix,
 * {@code "*"} any non-empty value. {@link #parse} refuses a '*' anywhere else, which Istio would match
 * literally and which is always a mistake.
 */
public sealed interface StringMatch {
    boolean matches(String value);

    /** How the value was written, for messages and the CLI. */
    String pattern();

    static StringMatch parse(String pattern) {
        return parse(pattern, false);
    }

    /** As {@link #parse}, comparing without regard to ASCII case (hosts). */
    static StringMatch parseIgnoringCase(String pattern) {
        return parse(pattern, true);
    }

    private static StringMatch parse(String pattern, boolean ignoreCase) {
        if (pattern.isEmpty()) {
            throw new IllegalArgumentException("an empty value matches nothing; leave it out");
        }
        if (pattern.equals("*")) {
            return new Present();
        }
        int star = pattern.indexOf('*', 1);
        if (star >= 0 && star != pattern.length() - 1 || pattern.startsWith("*") && pattern.endsWith("*")) {
            throw new IllegalArgumentException("'" + pattern + "': '*' may only start or end a value (prefix or suffix match)");
        }
        String p = ignoreCase ? pattern.toLowerCase(Locale.ROOT) : pattern;
        if (p.startsWith("*")) {
            return new Suffix(pattern, p.substring(1), ignoreCase);
        }
        if (p.endsWith("*")) {
            return new Prefix(pattern, p.substring(0, p.length() - 1), ignoreCase);
        }
        return new Exact(pattern, p, ignoreCase);
    }

    record Exact(String pattern, String value, boolean ignoreCase) implements StringMatch {
        @Override
        public boolean matches(String candidate) {
            return ignoreCase ? value.equalsIgnoreCase(candidate) : value.equals(candidate);
        }
    }

    record Prefix(String pattern, String prefix, boolean ignoreCase) implements StringMatch {
        @Override
        public boolean matches(String candidate) {
            return candidate.regionMatches(ignoreCase, 0, prefix, 0, prefix.length());
        }
    }

    record Suffix(String pattern, String suffix, boolean ignoreCase) implements StringMatch {
        @Override
        public boolean matches(String candidate) {
            int start = candidate.length() - suffix.length();
            return start >= 0 && candidate.regionMatches(ignoreCase, start, suffix, 0, suffix.length());
        }
    }

    record Present() implements StringMatch {
        @Override
        public boolean matches(String candidate) {
            return !candidate.isEmpty();
        }

        @Override
        public String pattern() {
            return "*";
        }
    }
}
