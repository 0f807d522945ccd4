package dev.aimesh.core.dlp;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * {@link Redactor} for a text that arrives in pieces (a chunked body, the content of streamed SSE deltas): a
 * value split across pieces is still found, because each piece is scanned together with what was held back
 * before it, and only bytes that no unfinished candidate can reach are released. What is held is the tail after
 * the last place a candidate cannot cross — a newline, most punctuation, or a space after a word that cannot
 * go on as a card, phone, IBAN, key block or {@code key = value} — so prose is released word by word; a run that
 * could still be a candidate is held up to {@link ContentScanner#MAX_TOKEN} bytes, a private key block up to
 * {@link ContentScanner#MAX_KEY_BLOCK}. Not thread-safe: one per stream.
 */
public final class StreamingRedactor {
    private static final byte[] BEGIN = ContentScanner.ascii("-----BEGIN ");
    private static final byte[] END = ContentScanner.ascii("-----END ");
    private final Redactor redactor;
    private byte[] held = new byte[0];
    private long released;
    private boolean blocked;

    public StreamingRedactor(Redactor redactor) {
        this.redactor = redactor;
    }

    /**
     * What may go on now: the bytes released (redacted where the policy says), the findings in them (offsets in
     * the whole stream as it came), and the finding that blocks the stream from here on, if one did.
     */
    public record Release(byte[] bytes, List<Redactor.Finding> findings, Optional<Redactor.Finding> blocked) {}

    /** Takes the next piece of the stream. After a block, everything is dropped. */
    public Release feed(byte[] piece, int offset, int length) {
        if (blocked) {
            return new Release(new byte[0], List.of(), Optional.empty());
        }
        byte[] buffer = Arrays.copyOf(held, held.length + length);
        System.arraycopy(piece, offset, buffer, held.length, length);
        return release(buffer, cut(buffer));
    }

    /** The stream ended: what was held goes on, scanned as complete. */
    public Release finish() {
        if (blocked) {
            return new Release(new byte[0], List.of(), Optional.empty());
        }
        return release(held, held.length);
    }

    private Release release(byte[] buffer, int cut) {
        // a finding that crosses the cut waits whole for the next piece, unless holding it would hold too much
        for (Redactor.Finding f : redactor.apply(buffer, 0, buffer.length).findings()) {
            if (f.start() < cut && f.end() > cut && buffer.length - f.start() <= holdLimit(f)) {
                cut = f.start();
            }
        }
        Redactor.Outcome part = redactor.apply(buffer, 0, cut);
        long base = released;
        List<Redactor.Finding> located = part.findings().stream().map(f -> shifted(f, base)).toList();
        held = Arrays.copyOfRange(buffer, cut, buffer.length);
        released += cut;
        return switch (part) {
            case Redactor.Outcome.Blocked b -> {
                blocked = true;
                held = new byte[0];
                int keep = b.first().start(); // what came before the blocked value may still go on
                Redactor.Outcome before = redactor.apply(buffer, 0, keep);
                byte[] bytes = before instanceof Redactor.Outcome.Redacted r ? r.body() : Arrays.copyOf(buffer, keep);
                yield new Release(bytes, located, Optional.of(shifted(b.first(), base)));
            }
            case Redactor.Outcome.Redacted r -> new Release(r.body(), located, Optional.empty());
            default -> new Release(Arrays.copyOf(buffer, cut), located, Optional.empty());
        };
    }

    private static Redactor.Finding shifted(Redactor.Finding f, long base) {
        return f.at((int) (base + f.start()), (int) (base + f.end()));
    }

    private static int holdLimit(Redactor.Finding f) {
        return f.detector() == Detector.PRIVATE_KEY ? ContentScanner.MAX_KEY_BLOCK : ContentScanner.MAX_TOKEN;
    }

    /**
     * Where to cut {@code b}: after the last byte no candidate can cross (at most {@link ContentScanner#MAX_TOKEN}
     * bytes from the end, or a private key block's limit from its start).
     */
    static int cut(byte[] b) {
        int floor = Math.max(0, b.length - ContentScanner.MAX_TOKEN);
        int cut = floor;
        for (int k = b.length - 1; k >= floor; k--) {
            int c = b[k] & 0xff;
            if (hardBreak(c) || (c == ' ' && wordEndsAt(b, k))) {
                cut = k + 1;
                break;
            }
        }
        int name = secretNameBefore(b, cut);
        if (name >= 0 && b.length - name <= ContentScanner.MAX_TOKEN) {
            cut = name; // "api_key": " then the value in the next piece
        }
        int keyBlock = lastUnendedKeyBlock(b);
        if (keyBlock >= 0 && keyBlock < cut && b.length - keyBlock <= ContentScanner.MAX_KEY_BLOCK) {
            cut = keyBlock;
        }
        return cut;
    }

    /** Where a secret's name starts when only quotes, spaces, {@code =} or {@code :} follow it up to {@code cut}; else -1. */
    private static int secretNameBefore(byte[] b, int cut) {
        int k = cut;
        while (k > 0 && cut - k < 8 && " \"':=".indexOf(b[k - 1]) >= 0) {
            k--;
        }
        int end = k;
        while (k > 0 && end - k <= 40 && (ContentScanner.alnum(b[k - 1] & 0xff) || b[k - 1] == '_' || b[k - 1] == '-')) {
            k--;
        }
        return end > k && SecretNames.named(b, k, end) ? k : -1;
    }

    /** Bytes that no candidate holds (newlines and controls, most punctuation, the rest of UTF-8). */
    private static boolean hardBreak(int c) {
        return c < 0x20 || c >= 0x7f || "\",;<>{}[]!?#&*^|\\`$".indexOf(c) >= 0;
    }

    /**
     * Whether a candidate ends at the space at {@code k}: when a lower-case word follows it (no candidate goes on
     * with one, a {@code key = value} aside), or the word before it cannot go on past a space — as digits and
     * their separators (cards, phone numbers, SSNs), an upper-case group (an IBAN, a key block's label) or a
     * secret's name can.
     */
    private static boolean wordEndsAt(byte[] b, int k) {
        int start = k;
        while (start > 0 && b[start - 1] != ' ' && !hardBreak(b[start - 1] & 0xff)) {
            start--;
        }
        if (start == k) {
            return true; // a second space, or a space after punctuation
        }
        int last = b[k - 1] & 0xff;
        boolean assignment = last == '=' || last == ':';
        if (k + 1 < b.length && b[k + 1] >= 'a' && b[k + 1] <= 'z' && !assignment) {
            return !SecretNames.named(b, start, k);
        }
        if (ContentScanner.digit(last) || last == '+' || last == '(' || last == ')' || last == '-' || assignment) {
            return false;
        }
        boolean upperGroup = true;
        for (int i = start; i < k; i++) {
            int c = b[i] & 0xff;
            upperGroup &= ContentScanner.upper(c) || ContentScanner.digit(c);
        }
        return !upperGroup && !SecretNames.named(b, start, k);
    }

    /** Where the last "-----BEGIN" without a later "-----END" starts, or -1. */
    private static int lastUnendedKeyBlock(byte[] b) {
        int found = -1;
        for (int i = 0; i + END.length <= b.length; i++) {
            if (b[i] == '-' && ContentScanner.matches(b, i, b.length, BEGIN)) {
                found = i;
            } else if (found >= 0 && b[i] == '-' && ContentScanner.matches(b, i, b.length, END)) {
                found = -1;
            }
        }
        return found;
    }
}
