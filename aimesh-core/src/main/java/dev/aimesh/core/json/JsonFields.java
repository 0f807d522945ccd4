package dev.aimesh.core.json;

import java.nio.charset.StandardCharsets;

/**
 * Walks a JSON document once, without building it: each string value with the key it is the value of and each
 * number with its key, both with their depth (1 inside the top object). An item of an array has the key the array
 * is the value of ({@code "stop": ["a"]}: {@code stop}), null in a top-level array. Nothing is allocated for
 * what the visitor does not ask to be decoded. Not a validator: it reads what servers read from valid JSON and
 * reports whether the text looked like JSON at all.
 */
public final class JsonFields {
    private JsonFields() {}

    /** What the walk hands out. */
    public interface Visitor {
        /** Whether the string value of {@code key} at {@code depth} is wanted ({@link #string} is then called). */
        boolean wants(String key, int depth);

        void string(String key, int depth, String value);

        default void number(String key, int depth, long value) {}
    }

    /** Walks {@code b[from, to)}; false when it is not JSON (an unterminated string, a bare word). */
    public static boolean visit(byte[] b, int from, int to, Visitor visitor) {
        int depth = 0;
        String key = null;
        // per depth, whether it is an object (keys) or an array; deeper levels read as arrays past 64
        long objects = 0;
        String[] arrayKeys = new String[64];
        char previous = ',';
        int i = from;
        while (i < to) {
            byte c = b[i];
            switch (c) {
                case '{', '[' -> {
                    depth++;
                    if (depth < 64) {
                        objects = c == '{' ? objects | (1L << depth) : objects & ~(1L << depth);
                        arrayKeys[depth] = key != null || depth == 1 ? key : arrayKeys[depth - 1];
                    }
                    key = null;
                    previous = (char) c;
                    i++;
                }
                case '}', ']' -> {
                    if (depth == 0) {
                        return false; // closes what never opened
                    }
                    depth--;
                    key = null;
                    previous = (char) c;
                    i++;
                }
                case '"' -> {
                    int end = JsonStrings.end(b, i, to);
                    if (end < 0) {
                        return false;
                    }
                    boolean inObject = depth > 0 && depth < 64 && (objects & (1L << depth)) != 0;
                    if (inObject && (previous == '{' || previous == ',')) {
                        key = new String(b, i + 1, end - i - 1, StandardCharsets.UTF_8);
                    } else {
                        String of = inObject ? key : depth > 0 && depth < 64 ? arrayKeys[depth] : null;
                        if (visitor.wants(of, depth)) {
                            byte[] value = JsonStrings.escaped(b, i + 1, end) ? JsonStrings.decode(b, i + 1, end)
                                    : java.util.Arrays.copyOfRange(b, i + 1, end);
                            visitor.string(of, depth, new String(value, StandardCharsets.UTF_8));
                        }
                    }
                    previous = '"';
                    i = end + 1;
                }
                case ' ', '\t', '\r', '\n' -> i++;
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        int end = i + 1;
                        while (end < to && (b[end] >= '0' && b[end] <= '9' || b[end] == '.' || b[end] == 'e' || b[end] == 'E'
                                || b[end] == '+' || b[end] == '-')) {
                            end++;
                        }
                        boolean inObject = depth > 0 && depth < 64 && (objects & (1L << depth)) != 0;
                        long value = wholeNumber(b, i, end);
                        if (value >= 0) {
                            visitor.number(inObject ? key : depth > 0 && depth < 64 ? arrayKeys[depth] : null, depth, value);
                        }
                        previous = '0';
                        i = end;
                    } else if (c >= 'a' && c <= 'z') {
                        int end = i;
                        while (end < to && b[end] >= 'a' && b[end] <= 'z') {
                            end++;
                        }
                        String word = new String(b, i, end - i, StandardCharsets.US_ASCII);
                        if (!word.equals("true") && !word.equals("false") && !word.equals("null")) {
                            return false;
                        }
                        previous = 'l';
                        i = end;
                    } else {
                        previous = (char) c; // ':' or ','
                        i++;
                    }
                }
            }
        }
        return true;
    }

    /** A non-negative whole number of at most 18 digits, or -1 (negative, fractional, exponent, too long). */
    private static long wholeNumber(byte[] b, int from, int to) {
        if (to - from > 18) {
            return -1;
        }
        long n = 0;
        for (int k = from; k < to; k++) {
            if (b[k] < '0' || b[k] > '9') {
                return -1;
            }
            n = n * 10 + (b[k] - '0');
        }
        return n;
    }
}
