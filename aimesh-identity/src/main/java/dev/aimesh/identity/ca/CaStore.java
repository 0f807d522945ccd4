package dev.aimesh.identity.ca;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.identity.x509.Keys;
import dev.aimesh.identity.x509.Pem;

/**
 * The CA's state on disk, under {@code <data-dir>/ca}: one folder per signing authority (its chain and
 * its key, readable by the owner only), {@code state.json} (which authority signs, the bundle, any
 * rotation, revocations), and {@code issued.jsonl}, one line per issued SVID. A damaged file stops the
 * CA with a message naming it: silently making a new root would cut every proxy off.
 */
public final class CaStore {
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule());

    private final Path dir;

    public CaStore(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    private Path stateFile() {
        return dir.resolve("state.json");
    }

    private Path issuedFile() {
        return dir.resolve("issued.jsonl");
    }

    record RotationFile(String from, String to, String phase, Instant startedAt, Instant switchedAt, Instant retireAt) {}

    record StateFile(String signing, List<String> bundle, long bundleVersion, RotationFile rotation, List<String> revoked) {}

    /** One issued certificate, as a line of {@code issued.jsonl}. */
    public record IssuedRecord(String serial, String spiffeId, String authority, Instant notBefore, Instant notAfter) {}

    public Optional<CaState> load() {
        Path stateFile = stateFile();
        if (!Files.exists(stateFile)) {
            return Optional.empty();
        }
        StateFile state;
        try {
            state = JSON.readValue(Files.readString(stateFile), StateFile.class);
        } catch (IOException e) {
            throw new CaStoreException(stateFile, "cannot read the CA state (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
        }
        if (state.signing() == null || state.bundle() == null) {
            throw new CaStoreException(stateFile, "the CA state lacks 'signing' or 'bundle'");
        }
        Map<String, CaCredential> authorities = new LinkedHashMap<>();
        Set<String> needed = new java.util.LinkedHashSet<>(state.bundle());
        needed.add(state.signing());
        if (state.rotation() != null) {
            needed.add(state.rotation().from());
            needed.add(state.rotation().to());
        }
        for (String id : needed) {
            authorities.put(id, readAuthority(id));
        }
        Optional<RootRotation> rotation = Optional.ofNullable(state.rotation()).map(r -> new RootRotation(r.from(), r.to(),
                RootRotation.Phase.valueOf(r.phase()), r.startedAt(), Optional.ofNullable(r.switchedAt()),
                Optional.ofNullable(r.retireAt())));
        Set<BigInteger> revoked = new HashSet<>();
        for (String serial : state.revoked() == null ? List.<String>of() : state.revoked()) {
            revoked.add(new BigInteger(serial, 16));
        }
        try {
            return Optional.of(new CaState(authorities, state.signing(), state.bundle(), state.bundleVersion(), rotation, revoked));
        } catch (IllegalArgumentException e) {
            throw new CaStoreException(stateFile, e.getMessage(), e);
        }
    }

    private CaCredential readAuthority(String id) {
        Path folder = dir.resolve("authorities").resolve(id);
        Path chainFile = folder.resolve("chain.pem");
        Path keyFile = folder.resolve("key.pem");
        List<X509Certificate> chain;
        try {
            chain = Pem.parseCertificates(Files.readString(chainFile));
        } catch (IOException e) {
            throw new CaStoreException(chainFile, "cannot read the CA certificate (" + e + ")", e);
        } catch (CertificateException e) {
            throw new CaStoreException(chainFile, "the CA certificate is damaged: " + e.getMessage(), e);
        }
        try {
            var key = Pem.parsePrivateKey(Files.readString(keyFile));
            if (!Keys.matches(key, chain.get(0).getPublicKey())) {
                throw new CaStoreException(keyFile, "the CA key does not belong to the certificate in " + chainFile.getFileName());
            }
            return new CaCredential(key, chain);
        } catch (IOException e) {
            throw new CaStoreException(keyFile, "cannot read the CA key (" + e + ")", e);
        } catch (CertificateException e) {
            throw new CaStoreException(keyFile, "the CA key is damaged: " + e.getMessage(), e);
        }
    }

    public void save(CaState state) {
        try {
            createPrivateDir(dir);
            createPrivateDir(dir.resolve("authorities"));
            for (Map.Entry<String, CaCredential> authority : state.authorities().entrySet()) {
                Path folder = dir.resolve("authorities").resolve(authority.getKey());
                if (!Files.exists(folder.resolve("key.pem"))) {
                    createPrivateDir(folder);
                    writePrivate(folder.resolve("chain.pem"), Pem.certificates(authority.getValue().chain()));
                    writePrivate(folder.resolve("key.pem"), Pem.privateKey(authority.getValue().key()));
                }
            }
            RotationFile rotation = state.rotation().map(r -> new RotationFile(r.from(), r.to(), r.phase().name(),
                    r.startedAt(), r.switchedAt().orElse(null), r.retireAt().orElse(null))).orElse(null);
            List<String> revoked = state.revoked().stream().map(s -> s.toString(16)).sorted().toList();
            StateFile file = new StateFile(state.signingId(), state.bundleIds(), state.bundleVersion(), rotation, revoked);
            writePrivate(stateFile(), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(file));
        } catch (IOException e) {
            throw new CaStoreException(dir, "cannot save the CA state (" + e + ")", e);
        }
    }

    public void recordIssued(X509Certificate leaf, SpiffeId id, String authority) {
        IssuedRecord record = new IssuedRecord(leaf.getSerialNumber().toString(16), id.toString(), authority,
                leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant());
        try {
            String line = JSON.writeValueAsString(record) + "\n";
            Files.writeString(issuedFile(), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new CaStoreException(issuedFile(), "cannot record an issued certificate (" + e + ")", e);
        }
    }

    /** The latest expiry among the SVIDs each authority has signed, read back from {@code issued.jsonl}. */
    public Map<String, Instant> lastExpiryByAuthority() {
        Map<String, Instant> result = new HashMap<>();
        if (!Files.exists(issuedFile())) {
            return result;
        }
        try (var lines = Files.lines(issuedFile())) {
            List<String> all = new ArrayList<>();
            lines.forEach(all::add);
            for (int i = 0; i < all.size(); i++) {
                String line = all.get(i);
                if (line.isBlank()) {
                    continue;
                }
                try {
                    IssuedRecord r = JSON.readValue(line, IssuedRecord.class);
                    result.merge(r.authority(), r.notAfter(), (a, b) -> a.isAfter(b) ? a : b);
                } catch (JsonProcessingException e) {
                    // A torn last line after a crash is expected; anything earlier is damage.
                    if (i < all.size() - 1) {
                        throw new CaStoreException(issuedFile(), "line " + (i + 1) + " is damaged", e);
                    }
                }
            }
        } catch (IOException e) {
            throw new CaStoreException(issuedFile(), "cannot read (" + e + ")", e);
        }
        return result;
    }

    private static void createPrivateDir(Path path) throws IOException {
        if (!Files.isDirectory(path)) {
            Files.createDirectories(path);
            setPermissions(path, OWNER_ONLY_DIR);
        }
    }

    /** Writes via a temporary file and an atomic move, so a crash never leaves half a file. */
    private static void writePrivate(Path target, String content) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp);
        setPermissions(tmp, OWNER_ONLY_FILE);
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        try {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void setPermissions(Path path, Set<PosixFilePermission> permissions) throws IOException {
        try {
            Files.setPosixFilePermissions(path, permissions);
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system (e.g. Windows): rely on the directory's ACLs.
        }
    }
}
