package dev.aimesh.identity.x509;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Signature;
import java.util.Optional;
import dev.aimesh.core.identity.SpiffeId;

/**
 * The PKCS#10 request a proxy sends for its X.509-SVID, DER-encoded with the JDK alone: a proxy then starts
 * without loading BouncyCastle (whose signed jar costs a verification pass at class loading). The subject is
 * {@code O=aimesh}; the SPIFFE ID, when known, is the only SAN, asked for in an extensionRequest attribute.
 */
public final class SvidRequest {
    private static final byte[] ORGANIZATION = oid(2, 5, 4, 10);
    private static final byte[] EXTENSION_REQUEST = oid(1, 2, 840, 113549, 1, 9, 14);
    private static final byte[] SUBJECT_ALT_NAME = oid(2, 5, 29, 17);
    private static final byte[] ECDSA_WITH_SHA256 = oid(1, 2, 840, 10045, 4, 3, 2);

    private SvidRequest() {}

    /** A signed request for {@code id}, or, with no id, one that leaves the identity to the CA (join token). */
    public static byte[] der(KeyPair keys, Optional<SpiffeId> id) {
        if (!Keys.isP256(keys.getPublic())) {
            throw new IllegalArgumentException("an SVID key must be ECDSA P-256");
        }
        byte[] subject = sequence(set(sequence(ORGANIZATION, tlv(0x0c, "aimesh".getBytes(StandardCharsets.UTF_8)))));
        byte[] attributes = id.map(spiffeId -> {
            byte[] uri = tlv(0x86, spiffeId.toString().getBytes(StandardCharsets.US_ASCII)); // [6] IMPLICIT IA5String
            byte[] extension = sequence(SUBJECT_ALT_NAME, tlv(0x04, sequence(uri)));
            return tlv(0xa0, sequence(EXTENSION_REQUEST, set(sequence(extension))));
        }).orElse(tlv(0xa0));
        byte[] info = sequence(tlv(0x02, new byte[] {0}), subject, keys.getPublic().getEncoded(), attributes);
        try {
            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(keys.getPrivate());
            signer.update(info);
            byte[] signature = signer.sign();
            return sequence(info, sequence(ECDSA_WITH_SHA256), tlv(0x03, concat(new byte[] {0}, signature)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a CSR", e);
        }
    }

    private static byte[] sequence(byte[]... parts) {
        return tlv(0x30, parts);
    }

    private static byte[] set(byte[]... parts) {
        return tlv(0x31, parts);
    }

    private static byte[] tlv(int tag, byte[]... parts) {
        byte[] content = concat(parts);
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int length = content.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = length > 0xffff ? 3 : length > 0xff ? 2 : 1;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] oid(long... arcs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        base128(out, arcs[0] * 40 + arcs[1]);
        for (int i = 2; i < arcs.length; i++) {
            base128(out, arcs[i]);
        }
        return tlv(0x06, out.toByteArray());
    }

    private static void base128(ByteArrayOutputStream out, long value) {
        int groups = 1;
        while ((value >>> (7 * groups)) != 0) {
            groups++;
        }
        for (int i = groups - 1; i >= 0; i--) {
            int b = (int) ((value >>> (7 * i)) & 0x7f);
            out.write(i == 0 ? b : b | 0x80);
        }
    }
}
