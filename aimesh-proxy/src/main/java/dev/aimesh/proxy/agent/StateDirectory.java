package dev.aimesh.proxy.agent;

import static java.nio.file.attribute.PosixFilePermission.GROUP_WRITE;
import static java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.InstantSource;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.registry.ConfigSnapshot;
import dev.aimesh.identity.x509.Pem;
import dev.aimesh.identity.x509.SubjectAltNames;
import dev.aimesh.identity.x509.TrustBundle;
import dev.aimesh.identity.x509.X509Svid;

/**
 * A proxy's state directory: its SVID, private key and trust bundle (the files {@link SvidFiles} writes)
 * and the last good snapshot it enforced ({@link SnapshotFile}), so that a restart without the control
 * plane still enforces that snapshot. Every file is replaced atomically and only when it changed. The
 * stored snapshot is trusted no more than the key beside it: whoever can write here can change both, so
 * a directory that group or others can write is refused.
 */
public final class StateDirectory {
    public static final String SNAPSHOT = "snapshot.pb";
    /** Where aimesh before config format 2 kept its snapshot (YAML files in JSON): ignored, removed by the next save. */
    static final String LEGACY_SNAPSHOT = "snapshot.json";
    private static final Set<PosixFilePermission> WRITABLE_BY_OTHERS = EnumSet.of(GROUP_WRITE, OTHERS_WRITE);

    private final Path dir;
    private X509Svid savedSvid;
    private TrustBundle savedBundle;
    private ConfigSnapshot savedSnapshot;

    /** What the directory holds, as the proxy will use it. */
    public sealed interface Stored {
        /**
         * A valid identity and the snapshot to enforce until the control plane sends a newer one; no snapshot
         * when the one stored was written by another version of aimesh ({@code note} says so): the proxy then
         * takes the control plane's, as a joining proxy does.
         */
        record Usable(Path dir, String workload, X509Svid svid, TrustBundle bundle, Optional<ConfigSnapshot> snapshot,
                Optional<String> note) implements Stored {
            public Usable(Path dir, String workload, X509Svid svid, TrustBundle bundle, ConfigSnapshot snapshot) {
                this(dir, workload, svid, bundle, Optional.of(snapshot), Optional.empty());
            }
        }

        /** Nothing to resume from: a new directory, or a proxy that stopped before its first snapshot. */
        record Empty(String why) implements Stored {}

        /** The stored SVID has expired: it must not be served; joining again needs a token. */
        record Expired(Path file, Instant expiredAt) implements Stored {}

        /** A file is missing, corrupt or does not belong with the others: nothing here may be served. */
        record Unusable(Path file, String reason) implements Stored {}
    }

    private StateDirectory(Path dir) {
        this.dir = dir;
    }

    /** Creates the directory owner-only (0700), or opens it; refuses one that group or others can write. */
    public static StateDirectory open(Path dir) throws IOException {
        if (Files.notExists(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        if (!Files.isDirectory(dir)) {
            throw new IOException("state directory " + dir + " is not a directory");
        }
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(dir);
        if (permissions.stream().anyMatch(WRITABLE_BY_OTHERS::contains)) {
            throw new IOException("state directory " + dir + " is writable by group or others ("
                    + PosixFilePermissions.toString(permissions) + "): whoever can write it can change the policy this proxy"
                    + " enforces; chmod 700 it");
        }
        return new StateDirectory(dir);
    }

    public Path path() {
        return dir;
    }

    /** Reads and checks what is stored: parsed, key matching the certificate, unexpired, verified against the bundle. */
    public synchronized Stored load(InstantSource clock) {
        Path snapshotFile = dir.resolve(SNAPSHOT);
        Path legacyFile = dir.resolve(LEGACY_SNAPSHOT);
        if (Files.notExists(snapshotFile) && Files.notExists(legacyFile)) {
            return new Stored.Empty(dir + " holds no snapshot yet");
        }
        Path certificateFile = dir.resolve(SvidFiles.CERTIFICATE);
        Path keyFile = dir.resolve(SvidFiles.KEY);
        Path bundleFile = dir.resolve(SvidFiles.BUNDLE);
        List<X509Certificate> chain;
        PrivateKey key;
        TrustBundle bundle;
        Optional<SnapshotFile.Contents> contents;
        Optional<String> note = Optional.empty();
        SpiffeId id;
        try {
            Set<PosixFilePermission> keyPermissions = Files.getPosixFilePermissions(keyFile);
            if (!PosixFilePermissions.fromString("rw-------").containsAll(keyPermissions)) {
                return new Stored.Unusable(keyFile, "the private key is readable by others than its owner ("
                        + PosixFilePermissions.toString(keyPermissions) + ")");
            }
        } catch (NoSuchFileException e) {
            return new Stored.Unusable(keyFile, "missing");
        } catch (IOException e) {
            return new Stored.Unusable(keyFile, "cannot read it (" + e + ")");
        }
        try {
            chain = Pem.parseCertificates(read(certificateFile));
            id = SpiffeId.parse(SubjectAltNames.uris(chain.get(0)).stream().findFirst()
                    .orElseThrow(() -> new CertificateException("the certificate has no URI SAN")));
        } catch (IOException | CertificateException | IllegalArgumentException e) {
            return new Stored.Unusable(certificateFile, e.getMessage());
        }
        try {
            key = Pem.parsePrivateKey(read(keyFile));
        } catch (IOException | CertificateException e) {
            return new Stored.Unusable(keyFile, e.getMessage());
        }
        try {
            // The version is not kept: 0 lets the control plane's next bundle replace this one.
            bundle = new TrustBundle(0, Pem.parseCertificates(read(bundleFile)));
        } catch (IOException | CertificateException e) {
            return new Stored.Unusable(bundleFile, e.getMessage());
        }
        String legacyWorkload = null;
        if (Files.notExists(snapshotFile)) {
            try {
                legacyWorkload = legacyWorkload(read(legacyFile)).orElse(null);
            } catch (IOException e) {
                return new Stored.Unusable(legacyFile, "cannot read it (" + e.getMessage() + ")");
            }
            if (legacyWorkload == null) {
                return new Stored.Unusable(legacyFile, "written by an older aimesh, and it names no workload");
            }
            contents = Optional.empty();
            note = Optional.of("ignoring " + legacyFile + ", written by an aimesh before config format "
                    + dev.aimesh.api.ApiMessages.CONFIG_FORMAT + "; enforcing the control plane's snapshot once it arrives");
        } else {
            try {
                contents = Optional.of(SnapshotFile.decode(readBytes(snapshotFile)));
            } catch (IOException | IllegalArgumentException e) {
                return new Stored.Unusable(snapshotFile, "the snapshot cannot be read: " + e.getMessage());
            }
        }
        if (!keyMatches(key, chain.get(0))) {
            return new Stored.Unusable(keyFile, "the private key does not match the certificate in " + certificateFile);
        }
        Instant expiresAt = chain.get(0).getNotAfter().toInstant();
        if (!clock.instant().isBefore(expiresAt)) {
            return new Stored.Expired(certificateFile, expiresAt);
        }
        X509Svid svid = new X509Svid(id, key, chain);
        try {
            WorkloadIdentity.verify(svid, bundle, clock);
        } catch (CertificateException e) {
            return new Stored.Unusable(certificateFile, e.getMessage() + " (in " + bundleFile + ")");
        }
        savedSvid = svid;
        savedBundle = bundle;
        if (contents.isEmpty()) {
            return new Stored.Usable(dir, legacyWorkload, svid, bundle, Optional.empty(), note);
        }
        savedSnapshot = contents.get().snapshot();
        return new Stored.Usable(dir, contents.get().workload(), svid, bundle, Optional.of(contents.get().snapshot()), note);
    }

    /** Writes the SVID, key and bundle unless they are what was last written or loaded; says whether it wrote. */
    public synchronized boolean saveIdentity(X509Svid svid, TrustBundle bundle) throws IOException {
        if (svid.equals(savedSvid) && bundle.roots().equals(savedBundle.roots())) {
            return false;
        }
        SvidFiles.write(dir, svid, bundle);
        savedSvid = svid;
        savedBundle = bundle;
        return true;
    }

    /** Writes the snapshot unless it is the one last written or loaded; says whether it wrote. */
    public synchronized boolean saveSnapshot(String workload, ConfigSnapshot snapshot) throws IOException {
        if (snapshot.equals(savedSnapshot)) {
            return false;
        }
        SvidFiles.replace(dir.resolve(SNAPSHOT), SnapshotFile.encode(new SnapshotFile.Contents(workload, snapshot)), true);
        Files.deleteIfExists(dir.resolve(LEGACY_SNAPSHOT));
        savedSnapshot = snapshot;
        return true;
    }

    private static String read(Path file) throws IOException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IOException("missing", e);
        }
    }

    private static final java.util.regex.Pattern LEGACY_WORKLOAD = java.util.regex.Pattern.compile(
            "\"workload\"\\s*:\\s*\"([a-z0-9][a-z0-9.-]*/[a-z0-9][a-z0-9.-]*)\"");

    /**
     * The workload an older aimesh's JSON snapshot names; the rest of it (YAML files) is not read. A pattern,
     * not a JSON parser, which the proxy does not load: names are DNS labels, never escaped.
     */
    static Optional<String> legacyWorkload(String json) {
        java.util.regex.Matcher m = LEGACY_WORKLOAD.matcher(json);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private static byte[] readBytes(Path file) throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IOException("missing", e);
        }
    }

    /** A signature made with the key verifies with the certificate's public key. */
    private static boolean keyMatches(PrivateKey key, X509Certificate certificate) {
        try {
            byte[] challenge = "aimesh state directory key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance("SHA256withECDSA");
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
