package dev.aimesh.proxy.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import dev.aimesh.identity.x509.Pem;
import dev.aimesh.identity.x509.TrustBundle;
import dev.aimesh.identity.x509.X509Svid;

/** Writes an SVID as the files apps and tools expect: svid.pem, svid-key.pem (owner-only), bundle.pem. */
public final class SvidFiles {
    public static final String CERTIFICATE = "svid.pem";
    public static final String KEY = "svid-key.pem";
    public static final String BUNDLE = "bundle.pem";

    private SvidFiles() {}

    public static void write(Path dir, X509Svid svid, TrustBundle bundle) throws IOException {
        Files.createDirectories(dir);
        // Key first and replaced atomically, so a reader never pairs a new certificate with an old key for long.
        replace(dir.resolve(KEY), Pem.privateKey(svid.privateKey()), true);
        replace(dir.resolve(CERTIFICATE), Pem.certificates(svid.chain()), false);
        replace(dir.resolve(BUNDLE), bundle.pem(), false);
    }

    /** Replaces {@code target} atomically (temp file + rename), owner-only when {@code secret}. */
    static void replace(Path target, String content, boolean secret) throws IOException {
        replace(target, content.getBytes(java.nio.charset.StandardCharsets.UTF_8), secret);
    }

    static void replace(Path target, byte[] content, boolean secret) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        if (secret) {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        Files.write(tmp, content);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
