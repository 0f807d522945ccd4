package dev.aimesh.core.dlp;

import java.util.EnumSet;
import java.util.Set;

/**
 * Finds sensitive data in bytes (UTF-8 or ASCII text, a JSON body, an SSE event) in one pass: each byte is
 * looked at once by a cheap dispatch on what it is (a '@', a digit, a letter at the start of a word, a
 * "-----BEGIN"), and only a candidate that looks right is handed to its validator (Luhn and issuer ranges,
 * mod-97, SSN rules, an entropy floor). Nothing is a regular expression. A candidate that fails its checksum is
 * not reported. Bytes of 0x80 and above (the rest of UTF-8) end a candidate.
 *
 * <p>Not thread-safe: it keeps scratch space, so use one per exchange (or per thread). No allocation per scan.
 */
public final class ContentScanner {
    /** The longest candidate the scanner reads, past which nothing is reported (a private key block aside). */
    public static final int MAX_TOKEN = 512;
    /** How far a private key block is followed to its END line. */
    public static final int MAX_KEY_BLOCK = 16 * 1024;
    private static final byte[] BEGIN = ascii("-----BEGIN ");
    private static final byte[] KEY_HEAD_END = ascii("PRIVATE KEY-----");
    private static final byte[] END = ascii("-----END ");
    private static final double SECRET_ENTROPY = 3.5;
    private static final byte[] EYJ_PREFIX = ascii("eyJ");
    private static final byte[] GITHUB_PAT_PREFIX = ascii("github_pat_");
    private static final byte[] GLPAT_PREFIX = ascii("glpat-");
    private static final byte[] SK_ANT_PREFIX = ascii("sk-ant-");
    private static final byte[] XAPP_PREFIX = ascii("xapp-");

    private final Set<Detector> enabled;
    private final boolean numbers;
    private final byte[] digits = new byte[64];
    private final int[] counts = new int[128];

    public ContentScanner(Set<Detector> enabled) {
        this.enabled = EnumSet.copyOf(enabled.isEmpty() ? EnumSet.noneOf(Detector.class) : enabled);
        this.numbers = this.enabled.contains(Detector.PAYMENT_CARD) || this.enabled.contains(Detector.US_SSN)
                || this.enabled.contains(Detector.PHONE) || this.enabled.contains(Detector.IPV4) || this.enabled.contains(Detector.IPV6);
    }

    public static ContentScanner all() {
        return new ContentScanner(EnumSet.allOf(Detector.class));
    }

    public Set<Detector> detectors() {
        return EnumSet.copyOf(enabled);
    }

    /** Reports every finding in {@code b[from..to)} to {@code out}, in order of where it starts. */
    public void scan(byte[] b, int from, int to, Findings out) {
        int i = from;
        while (i < to) {
            int c = b[i] & 0xff;
            boolean start = i == from || !wordByte(b[i - 1] & 0xff);
            int next = i + 1;
            if (c == '@') {
                next = email(b, from, to, i, out);
            } else if (start && numbers && (digit(c) || c == '+' || c == '(')) {
                next = number(b, to, i, out);
            } else if (start && letter(c)) {
                next = word(b, to, i, out);
            } else if (c == '-' && matches(b, i, to, BEGIN)) {
                next = privateKey(b, to, i, out);
            } else if (c == ':' && start && i + 1 < to && b[i + 1] == ':' && enabled.contains(Detector.IPV6)) {
                next = ipv6(b, to, i, out);
            }
            i = Math.max(next, i + 1);
        }
    }

    // ---- e-mail

    private int email(byte[] b, int from, int to, int at, Findings out) {
        if (!enabled.contains(Detector.EMAIL)) {
            return at + 1;
        }
        int start = at;
        while (start > from && at - start < 64 && localByte(b[start - 1] & 0xff)) {
            start--;
        }
        while (start < at && b[start] == '.') {
            start++;
        }
        if (start == at || b[at - 1] == '.' || contains(b, start, at, (byte) '.', (byte) '.')) {
            return at + 1;
        }
        int end = at + 1;
        int labelStart = end;
        int dots = 0;
        int lastLabel = -1;
        while (end < to && end - at <= 253) {
            int c = b[end] & 0xff;
            if (letter(c) || digit(c) || c == '-') {
                end++;
            } else if (c == '.' && end > labelStart && end + 1 < to && (letter(b[end + 1] & 0xff) || digit(b[end + 1] & 0xff))) {
                if (b[labelStart] == '-' || b[end - 1] == '-') {
                    return at + 1;
                }
                dots++;
                lastLabel = end + 1;
                end++;
                labelStart = end;
            } else {
                break;
            }
        }
        if (dots == 0 || end - lastLabel < 2 || b[end - 1] == '-') {
            return at + 1;
        }
        for (int k = lastLabel; k < end; k++) {
            if (!letter(b[k] & 0xff)) {
                return at + 1;
            }
        }
        out.found(Detector.EMAIL, start, end);
        return end;
    }

    // ---- numbers: cards, SSNs, phone numbers, IP addresses

    private int number(byte[] b, int to, int i, Findings out) {
        if (digit(b[i] & 0xff)) {
            int v4 = enabled.contains(Detector.IPV4) ? ipv4(b, to, i) : -1;
            if (v4 > 0) {
                out.found(Detector.IPV4, i, v4);
                return v4;
            }
            if (enabled.contains(Detector.IPV6) && hexThenColon(b, to, i)) {
                int v6 = ipv6(b, to, i, out);
                if (v6 > i + 1) {
                    return v6;
                }
            }
        }
        // digits with the separators people write them with: spaces, dashes, dots, parentheses
        int n = 0;
        int end = i;
        int k = i;
        boolean plus = b[i] == '+';
        if (plus) {
            k++;
        }
        int separators = 0;
        boolean dots = false;
        boolean parens = false;
        int pending = 0; // separators since the last digit: they count once a digit follows
        boolean pendingDot = false;
        boolean pendingParen = false;
        while (k < to && k - i < 40) {
            int c = b[k] & 0xff;
            if (digit(c)) {
                if (n == digits.length) {
                    break;
                }
                digits[n++] = (byte) (c - '0');
                end = ++k;
                separators += pending;
                dots |= pendingDot;
                parens |= pendingParen;
                pending = 0;
                pendingDot = false;
                pendingParen = false;
            } else if ((c == ' ' || c == '-' || c == '.' || c == '(' || c == ')') && pending < 2 && (n > 0 || c == '(')) {
                pending++;
                pendingDot |= c == '.';
                pendingParen |= c == '(' || c == ')';
                k++;
            } else {
                break;
            }
        }
        if (n == 0 || (end < to && (wordByte(b[end] & 0xff) || b[end] == '@'))) {
            return Math.max(end, i + 1);
        }
        if (!plus && !parens && !dots && enabled.contains(Detector.PAYMENT_CARD) && n >= 12 && n <= 19 && PaymentCards.valid(digits, n)) {
            out.found(Detector.PAYMENT_CARD, i, end);
        } else if (!plus && n == 9 && separators == 2 && enabled.contains(Detector.US_SSN) && ssnShape(b, i, end)
                && SocialSecurityNumbers.valid(digits)) {
            out.found(Detector.US_SSN, i, end);
        } else if (enabled.contains(Detector.PHONE) && phone(b, i, end, n, plus, separators)) {
            out.found(Detector.PHONE, i, end);
        }
        return end;
    }

    private static boolean ssnShape(byte[] b, int start, int end) {
        if (end - start != 11) {
            return false;
        }
        byte s = b[start + 3];
        return (s == '-' || s == ' ') && b[start + 6] == s;
    }

    /**
     * E.164 ({@code +} and 8–15 digits, the first 1–9), the North American plan's national forms ({@code (212)
     * 555-0142}, {@code 212-555-0142}, {@code 212.555.0142}, area and exchange starting 2–9), and national
     * numbers with a trunk 0 written in groups ({@code 020 7946 0958}, {@code 06 12 34 56 78}).
     */
    private boolean phone(byte[] b, int start, int end, int n, boolean plus, int separators) {
        if (plus) {
            return n >= 8 && n <= 15 && digits[0] != 0;
        }
        if (separators == 0) {
            return false; // a bare run of digits is an order number as often as a phone number
        }
        int first = digits[0] == 1 && n == 11 ? 1 : 0;
        if (n - first == 10 && digits[first] >= 2 && digits[first + 3] >= 2 && separators >= 2 - first) {
            return true;
        }
        return digits[0] == 0 && digits[1] != 0 && n >= 10 && n <= 11 && separators >= 2 && b[start] == '0';
    }

    /** The end of a dotted quad starting at {@code i}, or -1. */
    private static int ipv4(byte[] b, int to, int i) {
        int k = i;
        for (int octet = 0; octet < 4; octet++) {
            int s = k;
            int value = 0;
            while (k < to && digit(b[k] & 0xff) && k - s < 3) {
                value = value * 10 + (b[k] - '0');
                k++;
            }
            if (k == s || value > 255 || (k - s > 1 && b[s] == '0')) {
                return -1;
            }
            if (octet < 3) {
                if (k >= to || b[k] != '.') {
                    return -1;
                }
                k++;
            }
        }
        if (k < to && (wordByte(b[k] & 0xff) || (b[k] == '.' && k + 1 < to && digit(b[k + 1] & 0xff)))) {
            return -1;
        }
        return k;
    }

    private static boolean hexThenColon(byte[] b, int to, int i) {
        int k = i;
        while (k < to && k - i < 4 && hex(b[k] & 0xff)) {
            k++;
        }
        return k < to && b[k] == ':';
    }

    /** An IPv6 address starting at {@code i} (reported when it is one); where to go on. */
    private int ipv6(byte[] b, int to, int i, Findings out) {
        if (i > 0 && b[i - 1] == ':') {
            return i + 1; // inside a run of colons that did not read as one address (1::2::3)
        }
        int k = i;
        int groups = 0;
        boolean compressed = false;
        int end = -1;
        if (k + 1 < to && b[k] == ':' && b[k + 1] == ':') {
            compressed = true;
            k += 2;
            end = k;
        }
        while (k < to) {
            int s = k;
            while (k < to && k - s < 5 && hex(b[k] & 0xff)) {
                k++;
            }
            int len = k - s;
            if (len == 0 || len > 4) {
                if (len > 4) {
                    return i + 1;
                }
                break;
            }
            if (k < to && b[k] == '.' && groups <= 6) { // an IPv4 tail: ::ffff:192.0.2.1
                int v4 = ipv4(b, to, s);
                if (v4 > 0) {
                    groups += 2;
                    k = v4;
                    end = k;
                }
                break;
            }
            groups++;
            end = k;
            if (k + 1 < to && b[k] == ':' && b[k + 1] == ':') {
                if (compressed) {
                    return i + 1;
                }
                compressed = true;
                k += 2;
                end = k;
            } else if (k + 1 < to && b[k] == ':' && hex(b[k + 1] & 0xff)) {
                k++;
            } else {
                break;
            }
        }
        boolean whole = compressed ? groups <= 7 : groups == 8;
        if (end < 0 || !whole || (end < to && (wordByte(b[end] & 0xff) || b[end] == ':')) || (compressed && groups == 0)) {
            return i + 1;
        }
        out.found(Detector.IPV6, i, end);
        return end;
    }

    // ---- words: tokens and keys with known prefixes, IBANs, key=value secrets

    private int word(byte[] b, int to, int i, Findings out) {
        int end = i;
        while (end < to && end - i < MAX_TOKEN && tokenByte(b[end] & 0xff)) {
            end++;
        }
        int len = end - i;
        if (len >= MAX_TOKEN) {
            return end;
        }
        Detector token = knownToken(b, i, end);
        if (token != null) {
            out.found(token, i, end);
            return end;
        }
        if (b[i] == 'e' && enabled.contains(Detector.JWT)) {
            int jwt = jwt(b, to, i, end);
            if (jwt > 0) {
                out.found(Detector.JWT, i, jwt);
                return jwt;
            }
        }
        if (enabled.contains(Detector.IBAN) && upper(b[i] & 0xff) && len >= 2 && upper(b[i + 1] & 0xff)) {
            int iban = iban(b, to, i);
            if (iban > 0) {
                out.found(Detector.IBAN, i, iban);
                return iban;
            }
        }
        if (enabled.contains(Detector.IPV6) && len <= 4 && hexThenColon(b, to, i)) {
            int v6 = ipv6(b, to, i, out);
            if (v6 > i + 1) {
                return v6;
            }
        }
        // the separator first: most words are followed by none, and the names are many
        int separator = enabled.contains(Detector.GENERIC_SECRET) ? separatorAt(b, to, end) : -1;
        if (separator >= 0 && SecretNames.named(b, i, end)) {
            return secretValue(b, to, end, separator, out);
        }
        return end;
    }

    private Detector knownToken(byte[] b, int start, int end) {
        int len = end - start;
        if (len == 20 && b[start] == 'A' && enabled.contains(Detector.AWS_ACCESS_KEY) && SecretNames.awsPrefix(b, start)
                && all(b, start + 4, end, ContentScanner::upperOrDigit)) {
            return Detector.AWS_ACCESS_KEY;
        }
        if (b[start] == 'g' && enabled.contains(Detector.GITHUB_TOKEN)
                && ((len == 40 && b[start + 1] == 'h' && oneOf(b[start + 2], "pousr") && b[start + 3] == '_'
                        && all(b, start + 4, end, ContentScanner::alnum))
                || (len >= 82 && matches(b, start, end, GITHUB_PAT_PREFIX)))) {
            return Detector.GITHUB_TOKEN;
        }
        if (len >= 26 && b[start] == 'g' && enabled.contains(Detector.GITLAB_TOKEN) && matches(b, start, end, GLPAT_PREFIX)) {
            return Detector.GITLAB_TOKEN;
        }
        if (len >= 15 && b[start] == 'x' && enabled.contains(Detector.SLACK_TOKEN)
                && ((b[start + 1] == 'o' && b[start + 2] == 'x' && oneOf(b[start + 3], "baprs") && b[start + 4] == '-')
                        || matches(b, start, end, XAPP_PREFIX))) {
            return Detector.SLACK_TOKEN;
        }
        if (len >= 35 && b[start] == 's' && b[start + 1] == 'k' && b[start + 2] == '-') {
            if (matches(b, start, end, SK_ANT_PREFIX)) {
                return len >= 39 && enabled.contains(Detector.ANTHROPIC_KEY) ? Detector.ANTHROPIC_KEY : null;
            }
            return enabled.contains(Detector.OPENAI_KEY) && entropy(b, start + 3, end) >= SECRET_ENTROPY ? Detector.OPENAI_KEY : null;
        }
        return null;
    }

    /**
     * A JWS compact token: header and payload are base64url JSON objects ({@code eyJ} is how {"} encodes), then a
     * signature; the header names its {@code alg}. Returns its end, or -1.
     */
    private int jwt(byte[] b, int to, int start, int firstEnd) {
        if (!matches(b, start, firstEnd, EYJ_PREFIX) || firstEnd - start < 10 || firstEnd >= to || b[firstEnd] != '.') {
            return -1;
        }
        int second = firstEnd + 1;
        int secondEnd = base64UrlRun(b, to, second);
        if (secondEnd - second < 4 || !matches(b, second, secondEnd, EYJ_PREFIX) || secondEnd >= to || b[secondEnd] != '.') {
            return -1;
        }
        int end = base64UrlRun(b, to, secondEnd + 1);
        if (end < to && wordByte(b[end] & 0xff)) {
            return -1;
        }
        return Base64Url.containsKey(b, start, firstEnd, "\"alg\"") ? end : -1;
    }

    private static int base64UrlRun(byte[] b, int to, int k) {
        int s = k;
        while (k < to && k - s < 8192 && (alnum(b[k] & 0xff) || b[k] == '-' || b[k] == '_')) {
            k++;
        }
        return k;
    }

    /** An IBAN at {@code i}, compact or in the printed groups of four; its end, or -1. */
    private int iban(byte[] b, int to, int i) {
        int n = 0;
        int k = i;
        int end = -1;
        boolean grouped = false;
        while (k < to && n < Ibans.MAX_LENGTH) {
            int c = b[k] & 0xff;
            if (upperOrDigit(c)) {
                if (n < 2 ? !upper(c) : n < 4 && !digit(c)) {
                    return -1;
                }
                digits[n++] = (byte) c;
                end = ++k;
            } else if (c == ' ' && n % 4 == 0 && n > 0 && (grouped || n == 4) && k + 1 < to && upperOrDigit(b[k + 1] & 0xff)) {
                grouped = true;
                k++;
            } else {
                break;
            }
        }
        if (end < to && end > 0 && wordByte(b[end] & 0xff)) {
            return -1;
        }
        return n >= 15 && Ibans.valid(digits, n) ? end : -1;
    }

    /** Where {@code =} or {@code :} follows a name that ends at {@code k} (after a closing quote and spaces), or -1. */
    private static int separatorAt(byte[] b, int to, int k) {
        int limit = Math.min(to, k + 8);
        if (k < limit && (b[k] == '"' || b[k] == '\'')) {
            k++;
        }
        while (k < limit && b[k] == ' ') {
            k++;
        }
        return k < limit && (b[k] == '=' || b[k] == ':') ? k : -1;
    }

    /**
     * After a secret's name ending at {@code nameEnd} and its separator: {@code = value}, {@code : "value"},
     * {@code ": "value"} (JSON); reports a value that looks random.
     */
    private int secretValue(byte[] b, int to, int nameEnd, int separator, Findings out) {
        int limit = Math.min(to, nameEnd + 8);
        int k = separator + 1;
        while (k < to && (b[k] == ' ' || b[k] == '"' || b[k] == '\'') && k < limit + 4) {
            k++;
        }
        int start = k;
        int tokenEnd = start;
        while (tokenEnd < to && tokenEnd - start < MAX_TOKEN && tokenByte(b[tokenEnd] & 0xff)) {
            tokenEnd++;
        }
        Detector known = tokenEnd > start ? knownToken(b, start, tokenEnd) : null;
        int jwt = known == null && tokenEnd > start && b[start] == 'e' && enabled.contains(Detector.JWT) ? jwt(b, to, start, tokenEnd) : -1;
        if (known != null || jwt > 0) { // a value that is a known kind of token is reported as that kind
            out.found(known != null ? known : Detector.JWT, start, known != null ? tokenEnd : jwt);
            return known != null ? tokenEnd : jwt;
        }
        while (k < to && k - start < 256 && secretByte(b[k] & 0xff)) {
            k++;
        }
        int len = k - start;
        if (len >= 16 && len < 256 && mixed(b, start, k) && entropy(b, start, k) >= SECRET_ENTROPY) {
            out.found(Detector.GENERIC_SECRET, start, k);
        }
        return Math.max(k, start);
    }

    // ---- private keys

    private int privateKey(byte[] b, int to, int i, Findings out) {
        if (!enabled.contains(Detector.PRIVATE_KEY)) {
            return i + BEGIN.length;
        }
        int k = i + BEGIN.length;
        int labelEnd = Math.min(to, k + 40);
        while (k < labelEnd && (upper(b[k] & 0xff) || b[k] == ' ') && !matches(b, k, to, KEY_HEAD_END)) {
            k++;
        }
        if (!matches(b, k, to, KEY_HEAD_END)) {
            return i + 1;
        }
        int body = k + KEY_HEAD_END.length;
        int limit = Math.min(to, i + MAX_KEY_BLOCK);
        for (int e = body; e < limit; e++) {
            if (b[e] == '-' && matches(b, e, limit, END)) {
                int close = indexOf(b, e, limit, KEY_HEAD_END);
                int end = close < 0 ? limit : close + KEY_HEAD_END.length;
                out.found(Detector.PRIVATE_KEY, i, end);
                return end;
            }
        }
        out.found(Detector.PRIVATE_KEY, i, limit); // no END in sight: the block runs on past what was given
        return limit;
    }

    // ---- helpers

    /** Shannon entropy of {@code b[from..to)} in bits per byte. */
    private double entropy(byte[] b, int from, int to) {
        java.util.Arrays.fill(counts, 0);
        for (int k = from; k < to; k++) {
            counts[b[k] & 0x7f]++;
        }
        double h = 0;
        double n = to - from;
        for (int count : counts) {
            if (count > 0) {
                double p = count / n;
                h -= p * Math.log(p);
            }
        }
        return h / Math.log(2);
    }

    private static boolean mixed(byte[] b, int from, int to) {
        boolean letters = false;
        boolean numerals = false;
        for (int k = from; k < to; k++) {
            letters |= letter(b[k] & 0xff);
            numerals |= digit(b[k] & 0xff);
        }
        return letters && numerals;
    }

    private static boolean contains(byte[] b, int from, int to, byte first, byte second) {
        for (int k = from; k + 1 < to; k++) {
            if (b[k] == first && b[k + 1] == second) {
                return true;
            }
        }
        return false;
    }

    static boolean matches(byte[] b, int at, int to, byte[] what) {
        if (to - at < what.length) {
            return false;
        }
        for (int k = 0; k < what.length; k++) {
            if (b[at + k] != what[k]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] b, int from, int to, byte[] what) {
        for (int k = from; k + what.length <= to; k++) {
            if (matches(b, k, to, what)) {
                return k;
            }
        }
        return -1;
    }

    private static boolean all(byte[] b, int from, int to, java.util.function.IntPredicate p) {
        for (int k = from; k < to; k++) {
            if (!p.test(b[k] & 0xff)) {
                return false;
            }
        }
        return true;
    }

    private static boolean oneOf(byte c, String set) {
        return set.indexOf(c) >= 0;
    }

    static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    static boolean digit(int c) {
        return c >= '0' && c <= '9';
    }

    static boolean upper(int c) {
        return c >= 'A' && c <= 'Z';
    }

    static boolean letter(int c) {
        return upper(c) || (c >= 'a' && c <= 'z');
    }

    static boolean alnum(int c) {
        return letter(c) || digit(c);
    }

    private static boolean upperOrDigit(int c) {
        return upper(c) || digit(c);
    }

    private static boolean hex(int c) {
        return digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    /** Bytes that continue a word: a candidate never starts after one. */
    private static boolean wordByte(int c) {
        return alnum(c) || c == '_';
    }

    private static boolean tokenByte(int c) {
        return alnum(c) || c == '_' || c == '-';
    }

    private static boolean localByte(int c) {
        return alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
    }

    private static boolean secretByte(int c) {
        return alnum(c) || c == '+' || c == '/' || c == '_' || c == '-' || c == '.' || c == '=' || c == '~';
    }
}
