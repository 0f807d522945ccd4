package dev.aimesh.core.http;

/**
 * The path that policy decisions are made on, from a request target: the query is cut off, percent-encoded
 * unreserved characters are decoded, backslashes become slashes, runs of slashes merge and {@code .} /
 * {@code ..} segments are resolved (RFC 3986 section 5.2.4). What stays ambiguous is refused instead of
 * guessed: an encoded '/', '\' or NUL ({@code %2F}, {@code %5C}, {@code %00}; Istio's strictest setting), a
 * broken escape, a control character, a fragment, or a target that is not a path. The request is forwarded
 * with its path as it came; only the decision uses the normalized form.
 */
public final class RequestPath {
    private static final int MAX_LENGTH = 8192;

    private RequestPath() {}

    /** The outcome: a normalized path, or why the target was refused. */
    public sealed interface Result {
        record Normalized(String path) implements Result {}

        record Refused(String reason) implements Result {}
    }

    /** {@code target} is the request target of an origin-form request ({@code /v1/chat?x=1}) or HTTP/2 {@code :path}. */
    public static Result normalize(String target) {
        if (target.isEmpty() || target.charAt(0) != '/') {
            return new Result.Refused("the request target is not a path starting with '/'");
        }
        if (target.length() > MAX_LENGTH) {
            return new Result.Refused("the path is longer than " + MAX_LENGTH + " characters");
        }
        int end = target.indexOf('?');
        if (end < 0) {
            end = target.length();
        }
        StringBuilder decoded = new StringBuilder(end);
        for (int i = 0; i < end; i++) {
            char c = target.charAt(i);
            if (c == '%') {
                int value = i + 2 < end ? hex(target.charAt(i + 1), target.charAt(i + 2)) : -1;
                if (value < 0) {
                    return new Result.Refused("a '%' in the path is not followed by two hex digits");
                }
                if (value == '/' || value == '\\' || value == 0) {
                    return new Result.Refused("the path has an encoded " + (value == 0 ? "NUL" : value == '/' ? "'/'" : "'\\'")
                            + " (%" + target.substring(i + 1, i + 3) + "), which servers read differently");
                }
                if (unreserved(value)) {
                    decoded.append((char) value);
                } else {
                    decoded.append('%').append(Character.toUpperCase(target.charAt(i + 1)))
                            .append(Character.toUpperCase(target.charAt(i + 2)));
                }
                i += 2;
            } else if (c == '#') {
                return new Result.Refused("the request target has a fragment ('#')");
            } else if (c < 0x21 || c == 0x7f || c > 0x7e) {
                return new Result.Refused("the path has a control, space or non-ASCII character");
            } else {
                decoded.append(c == '\\' ? '/' : c);
            }
        }
        return new Result.Normalized(resolveDots(mergeSlashes(decoded)));
    }

    private static StringBuilder mergeSlashes(StringBuilder path) {
        StringBuilder merged = new StringBuilder(path.length());
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c != '/' || merged.isEmpty() || merged.charAt(merged.length() - 1) != '/') {
                merged.append(c);
            }
        }
        return merged;
    }

    /** Dot segments resolved; a '..' above the root stays at the root, as RFC 3986 says. */
    private static String resolveDots(StringBuilder path) {
        String[] segments = path.substring(1).split("/", -1);
        StringBuilder out = new StringBuilder(path.length());
        int[] starts = new int[segments.length + 1];
        int depth = 0;
        for (int i = 0; i < segments.length; i++) {
            String s = segments[i];
            boolean last = i == segments.length - 1;
            if (s.equals(".") || s.equals("..")) {
                if (s.equals("..") && depth > 0) {
                    depth--;
                    out.setLength(starts[depth]);
                }
                if (last) {
                    out.append('/'); // "/a/b/.." names the directory "/a/"
                }
                continue;
            }
            starts[depth++] = out.length();
            out.append('/').append(s);
        }
        if (out.isEmpty()) {
            out.append('/');
        }
        return out.toString();
    }

    private static boolean unreserved(int c) {
        return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~';
    }

    private static int hex(char high, char low) {
        int h = Character.digit(high, 16);
        int l = Character.digit(low, 16);
        return h < 0 || l < 0 ? -1 : h * 16 + l;
    }
}
