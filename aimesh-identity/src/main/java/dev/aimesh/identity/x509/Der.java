package dev.aimesh.identity.x509;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the few DER structures that the checks of a presented chain look inside (a key's algorithm
 * parameters, RSASSA-PSS parameters, name constraints) with the JDK alone, so that verifying a peer never
 * loads BouncyCastle into a proxy. Definite lengths and one-byte tags only, as DER and these structures
 * have; anything else is malformed.
 */
final class Der {
    static final int OBJECT_IDENTIFIER = 0x06;
    static final int OCTET_STRING = 0x04;
    static final int SEQUENCE = 0x30;

    private Der() {}

    /** One element: its tag and where its content lies in {@code source}. */
    record Element(int tag, byte[] source, int start, int end) {
        byte[] content() {
            return java.util.Arrays.copyOfRange(source, start, end);
        }

        /** The elements inside a constructed one (a SEQUENCE, a SET, a constructed context tag). */
        List<Element> children() {
            List<Element> children = new ArrayList<>();
            int at = start;
            while (at < end) {
                Element child = readAt(source, at, end);
                children.add(child);
                at = child.end;
            }
            return children;
        }

        /** The dotted form of an OBJECT IDENTIFIER, e.g. 1.2.840.10045.3.1.7. */
        String oid() {
            if (tag != OBJECT_IDENTIFIER || start == end) {
                throw new IllegalArgumentException("not an object identifier");
            }
            StringBuilder dotted = new StringBuilder();
            long value = 0;
            boolean first = true;
            for (int i = start; i < end; i++) {
                int b = source[i] & 0xff;
                if (value == 0 && b == 0x80) {
                    throw new IllegalArgumentException("an object identifier arc with a leading zero byte");
                }
                value = (value << 7) | (b & 0x7f);
                if (value > (Long.MAX_VALUE >> 7)) {
                    throw new IllegalArgumentException("an object identifier arc too large");
                }
                if ((b & 0x80) == 0) {
                    if (first) {
                        int top = value < 40 ? 0 : value < 80 ? 1 : 2;
                        dotted.append(top).append('.').append(value - 40L * top);
                        first = false;
                    } else {
                        dotted.append('.').append(value);
                    }
                    value = 0;
                } else if (i == end - 1) {
                    throw new IllegalArgumentException("an object identifier that ends inside an arc");
                }
            }
            return dotted.toString();
        }

        /** The content as one byte per character, as IA5String (ASCII) names are. */
        String latin1() {
            return new String(source, start, end - start, StandardCharsets.ISO_8859_1);
        }
    }

    /** The single element that {@code der} holds, whole: trailing bytes are malformed too. */
    static Element read(byte[] der) {
        Element element = readAt(der, 0, der.length);
        if (element.end != der.length) {
            throw new IllegalArgumentException("bytes after the DER element");
        }
        return element;
    }

    private static Element readAt(byte[] der, int at, int limit) {
        if (limit - at < 2) {
            throw new IllegalArgumentException("a truncated DER element");
        }
        int tag = der[at] & 0xff;
        if ((tag & 0x1f) == 0x1f) {
            throw new IllegalArgumentException("a multi-byte DER tag");
        }
        int first = der[at + 1] & 0xff;
        int contentStart = at + 2;
        long length;
        if (first < 0x80) {
            length = first;
        } else {
            int bytes = first & 0x7f;
            if (bytes == 0 || bytes > 4 || limit - contentStart < bytes) {
                throw new IllegalArgumentException(bytes == 0 ? "an indefinite DER length" : "a bad DER length");
            }
            length = 0;
            for (int i = 0; i < bytes; i++) {
                length = (length << 8) | (der[contentStart + i] & 0xff);
            }
            contentStart += bytes;
            if (length < 0x80 || (bytes > 1 && length >> (8 * (bytes - 1)) == 0)) {
                throw new IllegalArgumentException("a DER length not in its shortest form");
            }
        }
        if (length > limit - contentStart) {
            throw new IllegalArgumentException("a DER length beyond the data");
        }
        return new Element(tag, der, contentStart, contentStart + (int) length);
    }
}
