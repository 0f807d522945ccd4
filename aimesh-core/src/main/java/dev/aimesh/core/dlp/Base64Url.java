package dev.aimesh.core.dlp;

/** Reading a JWT header without allocating: base64url decoded a quantum at a time, searched for a JSON key. */
final class Base64Url {
    private Base64Url() {}

    private static int value(int c) {
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        }
        if (c >= 'a' && c <= 'z') {
            return c - 'a' + 26;
        }
        if (c >= '0' && c <= '9') {
            return c - '0' + 52;
        }
        return c == '-' ? 62 : c == '_' ? 63 : -1;
    }

    /** Whether the base64url text {@code b[from..to)} decodes to bytes that contain {@code quoted} ({@code "alg"}). */
    static boolean containsKey(byte[] b, int from, int to, String quoted) {
        int matched = 0;
        int bits = 0;
        int buffer = 0;
        for (int k = from; k < to; k++) {
            int v = value(b[k] & 0xff);
            if (v < 0) {
                return false;
            }
            buffer = (buffer << 6) | v;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                int decoded = (buffer >> bits) & 0xff;
                matched = decoded == quoted.charAt(matched) ? matched + 1 : decoded == '"' ? 1 : 0;
                if (matched == quoted.length()) {
                    return true;
                }
            }
        }
        return false;
    }
}
