package dev.aimesh.core.dlp;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import dev.aimesh.core.json.JsonStrings;

/**
 * {@link Redactor} for JSON: each string is scanned as the value it holds (escapes decoded, so {@code \u0040} is an
 * {@code @} and {@code \n} ends a word), findings never span two strings, and a redacted string is written back as a
 * JSON string, so the body stays valid JSON. A number is scanned for payment cards only (ids and counts are not
 * phone numbers); one redacted becomes a string. Nesting costs nothing: no tree is built. A body that is not JSON
 * (a word outside a string, a string that does not close) is redacted as
 * text.
 */
public final class JsonRedactor {
    private static final byte[][] LITERALS = {ContentScanner.ascii("true"), ContentScanner.ascii("false"),
        ContentScanner.ascii("null")};
    private final Redactor text;
    private final Redactor numbers;

    public JsonRedactor(Redactor text) {
        this.text = text;
        DlpAction card = text.actions().get(Detector.PAYMENT_CARD);
        this.numbers = card == null ? null : new Redactor(Map.of(Detector.PAYMENT_CARD, card), text.hashes());
    }

    /** Whether a body is read as JSON: its content type says so, or it starts like a JSON object or array. */
    public static boolean looksLikeJson(String contentType, byte[] body) {
        if (contentType != null && contentType.toLowerCase(java.util.Locale.ROOT).contains("json")) {
            return true;
        }
        int first = nextSignificant(body, 0, body.length);
        return first == '{' || first == '[';
    }

    public Redactor text() {
        return text;
    }

    /**
     * Decides what a string of the body becomes, for callers that treat some strings otherwise (the streamed text
     * of SSE events): return null to have it scanned as any other.
     */
    @FunctionalInterface
    public interface StringHook {
        /**
         * @param key the key the string is the value of, or null (an array item, or a key itself)
         * @param value the string's value, decoded
         * @return the value to write instead (or the same bytes), or null to scan it as usual
         */
        byte[] replace(String key, byte[] value);
    }

    public Redactor.Outcome apply(byte[] body, int from, int to) {
        return apply(body, from, to, null);
    }

    /** As {@link #apply(byte[], int, int)}, with {@code hook} asked first about each string value. */
    public Redactor.Outcome apply(byte[] body, int from, int to, StringHook hook) {
        List<Redactor.Finding> findings = new ArrayList<>();
        List<Edit> edits = new ArrayList<>();
        Redactor.Finding blocking = null;
        int i = from;
        String key = null;
        char previous = ',';
        while (i < to) {
            byte c = body[i];
            if (c == '"') {
                int end = JsonStrings.end(body, i, to);
                if (end < 0) {
                    return text.apply(body, from, to);
                }
                boolean isKey = nextSignificant(body, end + 1, to) == ':';
                boolean escaped = JsonStrings.escaped(body, i + 1, end);
                byte[] hooked = null;
                if (hook != null && !isKey) {
                    hooked = hook.replace(previous == ':' ? key : null,
                            escaped ? JsonStrings.decode(body, i + 1, end) : java.util.Arrays.copyOfRange(body, i + 1, end));
                }
                Redactor.Outcome outcome;
                if (hooked != null) {
                    edits.add(new Edit(i + 1, end, JsonStrings.encode(hooked)));
                    outcome = new Redactor.Outcome.Clean();
                } else if (!escaped) {
                    outcome = text.apply(body, i + 1, end);
                    if (outcome instanceof Redactor.Outcome.Redacted r) {
                        edits.add(new Edit(i + 1, end, r.body()));
                    }
                    findings.addAll(outcome.findings());
                } else {
                    outcome = decodedOutcome(body, i, end);
                    if (outcome instanceof Redactor.Outcome.Redacted r) {
                        edits.add(new Edit(i + 1, end, JsonStrings.encode(r.body())));
                    }
                    findings.addAll(outcome.findings());
                }
                if (outcome instanceof Redactor.Outcome.Blocked b && blocking == null) {
                    blocking = b.first();
                }
                if (isKey) {
                    key = new String(body, i + 1, end - i - 1, java.nio.charset.StandardCharsets.UTF_8);
                }
                previous = '"';
                i = end + 1;
            } else if ((c == '-' || (c >= '0' && c <= '9')) && (previous == ':' || previous == ',' || previous == '[')) {
                int end = i + 1;
                while (end < to && numberByte(body[end])) {
                    end++;
                }
                if (numbers != null && end - i >= 12) {
                    Redactor.Outcome outcome = numbers.apply(body, i, end);
                    findings.addAll(outcome.findings());
                    if (outcome instanceof Redactor.Outcome.Redacted r) {
                        byte[] quoted = new byte[r.body().length + 2];
                        quoted[0] = '"';
                        quoted[quoted.length - 1] = '"';
                        System.arraycopy(r.body(), 0, quoted, 1, r.body().length);
                        edits.add(new Edit(i, end, quoted));
                    } else if (outcome instanceof Redactor.Outcome.Blocked b && blocking == null) {
                        blocking = b.first();
                    }
                }
                previous = '0';
                i = end;
            } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
                int literal = literal(body, i, to);
                if (literal < 0) {
                    return text.apply(body, from, to); // a word outside a string: this is not JSON
                }
                previous = 'l';
                i += literal;
            } else {
                if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
                    previous = (char) c;
                }
                i++;
            }
        }
        return outcome(body, from, to, findings, edits, blocking);
    }

    /** A string with escapes, scanned as its value; its findings span the whole string as written. */
    private Redactor.Outcome decodedOutcome(byte[] body, int quote, int end) {
        byte[] value = JsonStrings.decode(body, quote + 1, end);
        Redactor.Outcome outcome = text.apply(value, 0, value.length);
        List<Redactor.Finding> located = outcome.findings().stream()
                .map(f -> f.at(quote, end + 1)).toList();
        return switch (outcome) {
            case Redactor.Outcome.Clean c -> c;
            case Redactor.Outcome.Audited a -> new Redactor.Outcome.Audited(located);
            case Redactor.Outcome.Redacted r -> new Redactor.Outcome.Redacted(r.body(), located);
            case Redactor.Outcome.Blocked b -> new Redactor.Outcome.Blocked(b.first().at(quote, end + 1), located);
        };
    }

    private static Redactor.Outcome outcome(byte[] body, int from, int to, List<Redactor.Finding> findings, List<Edit> edits,
            Redactor.Finding blocking) {
        if (blocking != null) {
            return new Redactor.Outcome.Blocked(blocking, List.copyOf(findings));
        }
        if (!edits.isEmpty()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(to - from + 16);
            int at = from;
            for (Edit e : edits) {
                out.write(body, at, e.start() - at);
                out.writeBytes(e.bytes());
                at = e.end();
            }
            out.write(body, at, to - at);
            return new Redactor.Outcome.Redacted(out.toByteArray(), List.copyOf(findings));
        }
        return findings.isEmpty() ? new Redactor.Outcome.Clean() : new Redactor.Outcome.Audited(List.copyOf(findings));
    }

    /** The length of {@code true}, {@code false} or {@code null} at {@code at}, or -1. */
    private static int literal(byte[] b, int at, int to) {
        for (byte[] word : LITERALS) {
            if (ContentScanner.matches(b, at, to, word)) {
                return word.length;
            }
        }
        return -1;
    }

    private static int nextSignificant(byte[] b, int from, int to) {
        for (int k = from; k < to; k++) {
            if (b[k] != ' ' && b[k] != '\t' && b[k] != '\r' && b[k] != '\n') {
                return b[k];
            }
        }
        return -1;
    }

    private static boolean numberByte(byte c) {
        return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
    }

    private record Edit(int start, int end, byte[] bytes) {}
}
