package dev.aimesh.core.ai;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The {@code model} an OpenAI-style JSON request body names, for model-aware policy. The whole body is
 * scanned (it is read up to a cap first), so that what cannot be read one way only is refused rather
 * than guessed. Model servers parse with different libraries: Go's {@code encoding/json} matches keys
 * without regard to case and keeps the last duplicate, Python's {@code json} and Jackson match exactly,
 * some keep the first duplicate, some accept a BOM, {@code NaN} or lax numbers. So a top-level key that is
 * {@code model} in any case, after unescaping ({@code "Model"}, or with an escaped letter as in {@code "mod\\u0065l"}), is a model key;
 * a second one, or one not spelled exactly {@code model}, is refused; so are a {@code model} that is not a
 * string, a lone surrogate in it or in a top-level key, bytes that are not UTF-8, a number outside
 * RFC 8259's grammar, a BOM, and a body that is not exactly one JSON object.
 */
public final class BodyModel {
    private static final int MAX_MODEL_LENGTH = 256;
    private static final int MAX_DEPTH = 64;

    private BodyModel() {}

    /** What the body says. */
    public sealed interface Result {
        record Found(String model) implements Result {}

        record Absent() implements Result {}

        record Refused(String reason) implements Result {}
    }

    public static Result scan(byte[] body, int length) {
        return new Scanner(body, length).run();
    }

    private static final class Scanner {
        private final byte[] b;
        private final int end;
        private int i;
        private String model;

        Scanner(byte[] body, int length) {
            this.b = body;
            this.end = length;
        }

        Result run() {
            if (!validUtf8(b, end)) {
                return new Result.Refused("the body is not valid UTF-8");
            }
            try {
                if (end >= 3 && (b[0] & 0xff) == 0xef && (b[1] & 0xff) == 0xbb && (b[2] & 0xff) == 0xbf) {
                    return new Result.Refused("the body starts with a byte order mark, which some parsers skip and others refuse");
                }
                skipSpace();
                if (i >= end || b[i] != '{') {
                    return new Result.Refused("the body is not a JSON object");
                }
                object(1);
                skipSpace();
                if (i != end) {
                    return new Result.Refused("the body has data after its JSON object");
                }
                return model == null ? new Result.Absent() : new Result.Found(model);
            } catch (Malformed e) {
                return new Result.Refused(e.getMessage());
            }
        }

        private void object(int depth) {
            if (depth > MAX_DEPTH) {
                throw new Malformed("the JSON body nests deeper than " + MAX_DEPTH + " levels");
            }
            i++; // '{'
            skipSpace();
            if (peek() == '}') {
                i++;
                return;
            }
            while (true) {
                skipSpace();
                if (peek() != '"') {
                    throw new Malformed("the JSON body has a key that is not a string");
                }
                String key = string(depth == 1);
                skipSpace();
                expect(':');
                skipSpace();
                if (depth == 1 && "model".equalsIgnoreCase(key)) {
                    if (model != null) {
                        throw new Malformed("the JSON body names \"model\" twice (keys compared without regard to case,"
                                + " as Go's encoding/json does)");
                    }
                    if (!key.equals("model")) {
                        throw new Malformed("the JSON body names its model as \"" + key + "\": parsers differ on whether"
                                + " that is \"model\"");
                    }
                    if (peek() != '"') {
                        throw new Malformed("the JSON body's \"model\" is not a string");
                    }
                    model = string(true);
                    if (model.isEmpty() || model.length() > MAX_MODEL_LENGTH) {
                        throw new Malformed("the JSON body's \"model\" is empty or longer than " + MAX_MODEL_LENGTH);
                    }
                } else {
                    value(depth);
                }
                skipSpace();
                byte c = next();
                if (c == '}') {
                    return;
                }
                if (c != ',') {
                    throw new Malformed("the JSON body is malformed near byte " + (i - 1));
                }
            }
        }

        private void array(int depth) {
            if (depth > MAX_DEPTH) {
                throw new Malformed("the JSON body nests deeper than " + MAX_DEPTH + " levels");
            }
            i++; // '['
            skipSpace();
            if (peek() == ']') {
                i++;
                return;
            }
            while (true) {
                skipSpace();
                value(depth);
                skipSpace();
                byte c = next();
                if (c == ']') {
                    return;
                }
                if (c != ',') {
                    throw new Malformed("the JSON body is malformed near byte " + (i - 1));
                }
            }
        }

        private void value(int depth) {
            byte c = peek();
            switch (c) {
                case '{' -> object(depth + 1);
                case '[' -> array(depth + 1);
                case '"' -> string(false);
                case 't' -> literal("true");
                case 'f' -> literal("false");
                case 'n' -> literal("null");
                default -> number();
            }
        }

        /** A string; its text only when {@code keep} (keys at the top level and the model), else null. */
        private String string(boolean keep) {
            i++; // opening quote
            StringBuilder text = keep ? new StringBuilder() : null;
            while (true) {
                byte c = next();
                if (c == '"') {
                    if (keep && hasLoneSurrogate(text)) {
                        throw new Malformed("the JSON body has a lone surrogate (\\uD800-\\uDFFF) in a key or the model");
                    }
                    return keep ? text.toString() : null;
                }
                if ((c & 0xff) < 0x20) {
                    throw new Malformed("the JSON body has a control character in a string");
                }
                if (c == '\\') {
                    byte e = next();
                    char decoded = switch (e) {
                        case '"' -> '"';
                        case '\\' -> '\\';
                        case '/' -> '/';
                        case 'b' -> '\b';
                        case 'f' -> '\f';
                        case 'n' -> '\n';
                        case 'r' -> '\r';
                        case 't' -> '\t';
                        case 'u' -> unicode();
                        default -> throw new Malformed("the JSON body has a bad escape in a string");
                    };
                    if (keep) {
                        text.append(decoded);
                    }
                } else if (keep) {
                    if (c >= 0) {
                        text.append((char) c);
                    } else {
                        int start = i - 1;
                        while (i < end && (b[i] & 0xc0) == 0x80) {
                            i++;
                        }
                        text.append(new String(b, start, i - start, StandardCharsets.UTF_8));
                    }
                }
            }
        }

        private char unicode() {
            if (i + 4 > end) {
                throw new Malformed("the JSON body ends inside a \\u escape");
            }
            int v = 0;
            for (int k = 0; k < 4; k++) {
                int d = Character.digit(b[i++], 16);
                if (d < 0) {
                    throw new Malformed("the JSON body has a bad \\u escape");
                }
                v = v * 16 + d;
            }
            return (char) v;
        }

        private void literal(String word) {
            for (int k = 0; k < word.length(); k++) {
                if (next() != word.charAt(k)) {
                    throw new Malformed("the JSON body has an unknown literal");
                }
            }
        }

        /** RFC 8259: {@code -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?}; NaN, Infinity, 01, +1, 1. are refused. */
        private void number() {
            int start = i;
            if (i < end && b[i] == '-') {
                i++;
            }
            if (i < end && b[i] == '0') {
                i++;
            } else if (digits() == 0) {
                throw new Malformed("the JSON body has a malformed number near byte " + start);
            }
            if (i < end && b[i] == '.') {
                i++;
                if (digits() == 0) {
                    throw new Malformed("the JSON body has a malformed number near byte " + start);
                }
            }
            if (i < end && (b[i] == 'e' || b[i] == 'E')) {
                i++;
                if (i < end && (b[i] == '+' || b[i] == '-')) {
                    i++;
                }
                if (digits() == 0) {
                    throw new Malformed("the JSON body has a malformed number near byte " + start);
                }
            }
        }

        private int digits() {
            int start = i;
            while (i < end && b[i] >= '0' && b[i] <= '9') {
                i++;
            }
            return i - start;
        }

        private static boolean hasLoneSurrogate(CharSequence text) {
            for (int k = 0; k < text.length(); k++) {
                char c = text.charAt(k);
                if (Character.isHighSurrogate(c) && k + 1 < text.length() && Character.isLowSurrogate(text.charAt(k + 1))) {
                    k++;
                } else if (Character.isSurrogate(c)) {
                    return true;
                }
            }
            return false;
        }

        private static boolean validUtf8(byte[] bytes, int length) {
            try {
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, length));
                return true;
            } catch (CharacterCodingException e) {
                return false;
            }
        }

        private void skipSpace() {
            while (i < end && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r')) {
                i++;
            }
        }

        private byte peek() {
            if (i >= end) {
                throw new Malformed("the JSON body ends early");
            }
            return b[i];
        }

        private byte next() {
            byte c = peek();
            i++;
            return c;
        }

        private void expect(char c) {
            if (next() != c) {
                throw new Malformed("the JSON body is malformed near byte " + (i - 1));
            }
        }
    }

    /** Control flow inside the scanner only; never leaves it. */
    private static final class Malformed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message, null, false, false);
        }
    }
}
