package dev.aimesh.bench.sidebyside;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The PEM files of one identity issued by the aimesh CA, as {@code aimesh svid fetch} writes them. */
public record PemFiles(Path cert, Path key, Path bundle) {
    public static PemFiles in(Path dir) {
        return new PemFiles(dir.resolve("svid.pem"), dir.resolve("svid-key.pem"), dir.resolve("bundle.pem"));
    }

    /** Certificate chain then key in one file, as haproxy's {@code crt} wants. */
    public Path combined() throws IOException {
        Path out = cert.resolveSibling("combined.pem");
        Files.writeString(out, Files.readString(cert) + Files.readString(key));
        return out;
    }
}
