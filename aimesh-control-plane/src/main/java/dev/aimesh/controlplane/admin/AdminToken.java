package dev.aimesh.controlplane.admin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The bearer token that authenticates the CLI to the admin API. A new one is written on every start to
 * {@code <data-dir>/admin-token}, readable by its owner only, so whoever may read the data directory may
 * drive the control plane, and a token copied elsewhere stops working at the next start.
 */
public final class AdminToken {
    public static final String FILE = "admin-token";
    private static final int BYTES = 32;

    private final byte[] value;
    private final Path file;

    private AdminToken(byte[] value, Path file) {
        this.value = value;
        this.file = file;
    }

    /** Generates a token and writes it (0600) to {@code <dataDir>/admin-token}, replacing any earlier one. */
    public static AdminToken create(Path dataDir, SecureRandom random) {
        byte[] secret = new byte[BYTES];
        random.nextBytes(secret);
        String text = HexFormat.of().formatHex(secret);
        Path file = dataDir.resolve(FILE);
        Path tmp = dataDir.resolve("." + FILE + ".tmp");
        try {
            Files.createDirectories(dataDir);
            Files.deleteIfExists(tmp);
            // created owner-only, never readable by others even for an instant
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, text + "\n");
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write the admin token", e);
        }
        return new AdminToken(text.getBytes(StandardCharsets.US_ASCII), file);
    }

    public Path file() {
        return file;
    }

    /** Compares in constant time, so the answer's timing says nothing about how much of a guess was right. */
    public boolean matches(String presented) {
        return MessageDigest.isEqual(value, presented.getBytes(StandardCharsets.US_ASCII));
    }
}
