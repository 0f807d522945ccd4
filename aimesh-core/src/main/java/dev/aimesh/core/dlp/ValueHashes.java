package dev.aimesh.core.dlp;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What the audit trail records of a value found instead of the value: the first 8 bytes of SHA-256 over a secret
 * salt and the value. Equal values hash alike under one salt (so repeats can be told apart from new leaks), and
 * without the salt a short value (a card number) cannot be found by trying every candidate.
 */
public final class ValueHashes {
    private final byte[] salt;

    /** @param salt at least 16 random bytes, kept secret (a proxy makes its own when it starts) */
    public ValueHashes(byte[] salt) {
        if (salt.length < 16) {
            throw new IllegalArgumentException("salt: " + salt.length + " bytes (expected: at least 16)");
        }
        this.salt = salt.clone();
    }

    /** {@code sha256:} and 16 hex digits. */
    public String of(byte[] b, int from, int to) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        sha.update(salt);
        sha.update(b, from, to - from);
        return "sha256:" + HexFormat.of().formatHex(sha.digest(), 0, 8);
    }
}
