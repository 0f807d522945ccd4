package dev.aimesh.core.json;

import java.io.ByteArrayOutputStream;

/** JSON string contents between their quotes: where one ends, its value decoded, a value written back. */
public final class JsonStrings {
    private JsonStrings() {}

    /**
     * Where the string whose opening quote is at {@code quote} closes (the index of its closing quote), or -1 when
     * it does not close before {@code to}.
     */
    public static int end(byte[] b, int quote, int to) {
        for (int j = quote + 1; j < to; j++) {
            if (b[j] == '\\') {
                j++;
            } else if (b[j] == '"') {
                return j;
            }
        }
        return -1;
    }

    public static boolean escaped(byte[] b, int from, int to) {
        for (int j = from; j < to; j++) {
            if (b[j] == '\\') {
                return true;
            }
        }
        return false;
    }

    /** The UTF-8 bytes of the value written in {@code b[from, to)} (the contents, no quotes); a bad escape stays as written. */
    public static byte[] decode(byte[] b, int from, int to) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
        int j = from;
        while (j < to) {
            byte c = b[j];
            if (c != '\\' || j + 1 >= to) {
                out.write(c);
                j++;
                continue;
            }
            byte e = b[j + 1];
            switch (e) {
                case 'n' -> out.write('\n');
                case 't' -> out.write('\t');
                case 'r' -> out.write('\r');
                case 'b' -> out.write('\b');
                case 'f' -> out.write('\f');
                case '"', '\\', '/' -> out.write(e);
                case 'u' -> {
                    int unit = hex4(b, j + 2, to);
                    if (unit < 0) {
                        out.write(c);
                        j++;
                        continue;
                    }
                    int consumed = 6;
                    int code = unit;
                    if (Character.isHighSurrogate((char) unit) && j + 12 <= to && b[j + 6] == '\\' && b[j + 7] == 'u') {
                        int low = hex4(b, j + 8, to);
                        if (low >= 0 && Character.isLowSurrogate((char) low)) {
                            code = Character.toCodePoint((char) unit, (char) low);
                            consumed = 12;
                        }
                    }
                    writeUtf8(out, code);
                    j += consumed;
                    continue;
                }
                default -> {
                    out.write(c);
                    j++;
                    continue;
                }
            }
            j += 2;
        }
        return out.toByteArray();
    }

    /** {@code value} (UTF-8) as the contents of a JSON string: quotes, backslashes and controls escaped. */
    public static byte[] encode(byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + 8);
        for (byte v : value) {
            int c = v & 0xff;
            switch (c) {
                case '"' -> out.writeBytes(new byte[] {'\\', '"'});
                case '\\' -> out.writeBytes(new byte[] {'\\', '\\'});
                case '\n' -> out.writeBytes(new byte[] {'\\', 'n'});
                case '\r' -> out.writeBytes(new byte[] {'\\', 'r'});
                case '\t' -> out.writeBytes(new byte[] {'\\', 't'});
                default -> {
                    if (c < 0x20) {
                        out.writeBytes(String.format("\\u%04x", c).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    } else {
                        out.write(c);
                    }
                }
            }
        }
        return out.toByteArray();
    }

    private static int hex4(byte[] b, int at, int to) {
        if (at + 4 > to) {
            return -1;
        }
        int value = 0;
        for (int k = at; k < at + 4; k++) {
            int d = Character.digit(b[k], 16);
            if (d < 0) {
                return -1;
            }
            value = value * 16 + d;
        }
        return value;
    }

    private static void writeUtf8(ByteArrayOutputStream out, int code) {
        if (code < 0x80) {
            out.write(code);
        } else if (code < 0x800) {
            out.write(0xc0 | code >> 6);
            out.write(0x80 | code & 0x3f);
        } else if (code < 0x10000) {
            out.write(0xe0 | code >> 12);
            out.write(0x80 | code >> 6 & 0x3f);
            out.write(0x80 | code & 0x3f);
        } else {
            out.write(0xf0 | code >> 18);
            out.write(0x80 | code >> 12 & 0x3f);
            out.write(0x80 | code >> 6 & 0x3f);
            out.write(0x80 | code & 0x3f);
        }
    }
}
