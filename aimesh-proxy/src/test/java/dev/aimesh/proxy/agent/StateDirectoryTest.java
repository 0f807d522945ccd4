package dev.aimesh.proxy.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.identity.TrustDomain;
import dev.aimesh.core.registry.ConfigSnapshot;
import dev.aimesh.core.registry.WorkloadEntry;
import dev.aimesh.core.resource.ConfigLoader;
import dev.aimesh.identity.ca.CaCredential;
import dev.aimesh.identity.ca.IssueDecision;
import dev.aimesh.identity.ca.RootCertificates;
import dev.aimesh.identity.ca.SvidIssuer;
import dev.aimesh.identity.x509.Keys;
import dev.aimesh.identity.x509.Pem;
import dev.aimesh.identity.x509.SvidRequest;
import dev.aimesh.identity.x509.TrustBundle;
import dev.aimesh.identity.x509.X509Svid;

class StateDirectoryTest {
    private static final TrustDomain TD = TrustDomain.parse("example.org");
    private static final SpiffeId ID = SpiffeId.forWorkload(TD, "models", "llm");
    private static final Instant NOW = Instant.now();
    private static final InstantSource CLOCK = () -> NOW;
    private static final CaCredential CA = RootCertificates.create(TD, NOW.minusSeconds(3600), Duration.ofDays(10));
    private static final TrustBundle BUNDLE = new TrustBundle(3, List.of(CA.root()));
    private static final ConfigSnapshot SNAPSHOT = new ConfigSnapshot("v7", List.of(
            new WorkloadEntry("models", "model", ID, Map.of("app", "model", "tier", "gold"), List.of("127.0.0.1:15006")),
            new WorkloadEntry("apps", "app", SpiffeId.forWorkload(TD, "apps", "app"), Map.of(), List.of())),
            ConfigSnapshot.resourcesOf(ConfigLoader.assemble(List.of(new ConfigLoader.SourceFile("policies/authz.yaml", """
                    apiVersion: security.istio.io/v1
                    kind: AuthorizationPolicy
                    metadata: {name: ünïcode-free, namespace: models, annotations: {note: "ünïcode, \\"quotes\\""}}
                    spec: {action: DENY, rules: [{to: [{operation: {paths: ["/admin/{**}"]}}]}]}
                    """))).config()));

    @TempDir
    Path tmp;

    /** An SVID for {@code models/llm} from this test's CA, issued a minute ago. */
    static X509Svid svid(Duration lifetime) {
        return svid(CA, lifetime);
    }

    private static X509Svid svid(CaCredential ca, Duration lifetime) {
        KeyPair keys = Keys.newP256();
        var issued = (IssueDecision.Issued) SvidIssuer.issue(
                new SvidIssuer.Request(SvidRequest.der(keys, Optional.of(ID)), ID, lifetime, NOW.minusSeconds(60)), ca);
        return new X509Svid(ID, keys.getPrivate(), issued.chain());
    }

    private StateDirectory saved(X509Svid svid) throws Exception {
        StateDirectory state = StateDirectory.open(tmp.resolve("state"));
        state.saveIdentity(svid, BUNDLE);
        state.saveSnapshot("models/model", SNAPSHOT);
        return state;
    }

    @Test
    void whatWasSavedLoadsBackExactlyWithOwnerOnlyPermissions() throws Exception {
        X509Svid svid = svid(CA, Duration.ofHours(1));
        saved(svid);
        Path dir = tmp.resolve("state");

        var stored = StateDirectory.open(dir).load(CLOCK);

        assertThat(stored).isInstanceOfSatisfying(StateDirectory.Stored.Usable.class, usable -> {
            assertThat(usable.workload()).isEqualTo("models/model");
            assertThat(usable.snapshot()).contains(SNAPSHOT);
            assertThat(usable.note()).isEmpty();
            assertThat(usable.svid()).isEqualTo(svid);
            assertThat(usable.bundle().roots()).isEqualTo(BUNDLE.roots());
        });
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(SvidFiles.KEY)))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(StateDirectory.SNAPSHOT))))
                .isEqualTo("rw-------");
        assertThat(Files.list(dir)).noneMatch(f -> f.getFileName().toString().endsWith(".tmp"));
    }

    @Test
    void writesOnlyWhatChanged() throws Exception {
        X509Svid svid = svid(CA, Duration.ofHours(1));
        StateDirectory state = saved(svid);
        Path snapshotFile = tmp.resolve("state").resolve(StateDirectory.SNAPSHOT);
        Files.setLastModifiedTime(snapshotFile, FileTime.from(NOW.minusSeconds(600)));
        FileTime before = Files.getLastModifiedTime(snapshotFile);

        assertThat(state.saveSnapshot("models/model", new ConfigSnapshot("v7", SNAPSHOT.workloads(), SNAPSHOT.resources()))).isFalse();
        assertThat(state.saveIdentity(svid, new TrustBundle(4, BUNDLE.roots()))).isFalse();
        assertThat(Files.getLastModifiedTime(snapshotFile)).isEqualTo(before);

        ConfigSnapshot next = new ConfigSnapshot("v8", SNAPSHOT.workloads(), List.of());
        assertThat(state.saveSnapshot("models/model", next)).isTrue();
        assertThat(state.saveIdentity(svid(CA, Duration.ofHours(1)), BUNDLE)).isTrue();
        assertThat(StateDirectory.open(tmp.resolve("state")).load(CLOCK))
                .isInstanceOfSatisfying(StateDirectory.Stored.Usable.class, u -> assertThat(u.snapshot()).contains(next));
    }

    @Test
    void aNewDirectoryHoldsNothingToResume() throws Exception {
        assertThat(StateDirectory.open(tmp.resolve("new")).load(CLOCK)).isInstanceOf(StateDirectory.Stored.Empty.class);
        // an identity without a snapshot (stopped before its first config) is not enough to serve
        StateDirectory state = StateDirectory.open(tmp.resolve("half"));
        state.saveIdentity(svid(CA, Duration.ofHours(1)), BUNDLE);
        assertThat(state.load(CLOCK)).isInstanceOf(StateDirectory.Stored.Empty.class);
    }

    @Test
    void anExpiredSvidIsNotUsableAndSaysWhen() throws Exception {
        X509Svid svid = svid(CA, Duration.ofHours(1));
        saved(svid);

        var stored = StateDirectory.open(tmp.resolve("state")).load(() -> NOW.plus(Duration.ofHours(2)));

        assertThat(stored).isEqualTo(new StateDirectory.Stored.Expired(tmp.resolve("state").resolve(SvidFiles.CERTIFICATE),
                svid.expiresAt()));
    }

    @Test
    void aDirectoryOthersCanWriteIsRefused() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxr-x"));

        assertThatThrownBy(() -> StateDirectory.open(dir)).hasMessageContaining(dir.toString())
                .hasMessageContaining("writable by group or others (rwxrwxr-x)");
    }

    @Test
    void aKeyOthersCanReadIsRefused() throws Exception {
        saved(svid(CA, Duration.ofHours(1)));
        Path key = tmp.resolve("state").resolve(SvidFiles.KEY);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));

        assertThat(StateDirectory.open(tmp.resolve("state")).load(CLOCK)).isInstanceOfSatisfying(
                StateDirectory.Stored.Unusable.class, u -> assertThat(u.file()).isEqualTo(key));
    }

    @Test
    void aSnapshotThatDoesNotParseIsRefusedNamingTheFile() throws Exception {
        saved(svid(CA, Duration.ofHours(1)));
        Path file = tmp.resolve("state").resolve(StateDirectory.SNAPSHOT);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, 100));

        assertThat(StateDirectory.open(tmp.resolve("state")).load(CLOCK)).isInstanceOfSatisfying(
                StateDirectory.Stored.Unusable.class, u -> {
                    assertThat(u.file()).isEqualTo(file);
                    assertThat(u.reason()).startsWith("the snapshot cannot be read: not a stored snapshot");
                });
    }

    @Test
    void aKeyThatDoesNotMatchTheCertificateIsRefused() throws Exception {
        saved(svid(CA, Duration.ofHours(1)));
        Path key = tmp.resolve("state").resolve(SvidFiles.KEY);
        Files.writeString(key, Pem.privateKey(Keys.newP256().getPrivate()));

        assertThat(StateDirectory.open(tmp.resolve("state")).load(CLOCK)).isInstanceOfSatisfying(
                StateDirectory.Stored.Unusable.class, u -> {
                    assertThat(u.file()).isEqualTo(key);
                    assertThat(u.reason()).contains("does not match the certificate");
                });
    }

    @Test
    void aCertificateFromAnotherCaIsRefused() throws Exception {
        CaCredential other = RootCertificates.create(TD, NOW.minusSeconds(3600), Duration.ofDays(10));
        saved(svid(other, Duration.ofHours(1)));

        assertThat(StateDirectory.open(tmp.resolve("state")).load(CLOCK)).isInstanceOfSatisfying(
                StateDirectory.Stored.Unusable.class, u -> {
                    assertThat(u.file()).isEqualTo(tmp.resolve("state").resolve(SvidFiles.CERTIFICATE));
                    assertThat(u.reason()).contains("does not verify against the bundle");
                });
    }

    @Test
    void aMissingFileIsRefusedNamingIt() throws Exception {
        saved(svid(CA, Duration.ofHours(1)));
        Path bundle = tmp.resolve("state").resolve(SvidFiles.BUNDLE);
        Files.delete(bundle);

        assertThat(StateDirectory.open(tmp.resolve("state")).load(CLOCK))
                .isEqualTo(new StateDirectory.Stored.Unusable(bundle, "missing"));
    }

    /** As an older aimesh left it: JSON holding the mesh's YAML files. */
    private static final String LEGACY = """
            {
              "format" : 1,
              "workload" : "models/model",
              "snapshot" : {"version" : "41.1", "workloads" : [ ], "configFiles" : [ {"name" : "a.yaml", "text" : "kind: Mesh"} ]}
            }
            """;

    @Test
    void aSnapshotAnOlderAimeshWroteIsIgnoredWithANoteTheIdentityKeptAndTheNextSaveReplacesIt() throws Exception {
        X509Svid svid = svid(CA, Duration.ofHours(1));
        StateDirectory state = StateDirectory.open(tmp.resolve("state"));
        state.saveIdentity(svid, BUNDLE);
        Path legacy = tmp.resolve("state").resolve(StateDirectory.LEGACY_SNAPSHOT);
        Files.writeString(legacy, LEGACY);

        var stored = StateDirectory.open(tmp.resolve("state")).load(CLOCK);

        assertThat(stored).isInstanceOfSatisfying(StateDirectory.Stored.Usable.class, usable -> {
            assertThat(usable.workload()).isEqualTo("models/model");
            assertThat(usable.svid()).isEqualTo(svid);
            assertThat(usable.snapshot()).isEmpty();
            assertThat(usable.note()).contains("ignoring " + legacy + ", written by an aimesh before config format 2;"
                    + " enforcing the control plane's snapshot once it arrives");
        });
        assertThat(state.saveSnapshot("models/model", SNAPSHOT)).isTrue();
        assertThat(legacy).doesNotExist();
        assertThat(StateDirectory.open(tmp.resolve("state")).load(CLOCK))
                .isInstanceOfSatisfying(StateDirectory.Stored.Usable.class, u -> assertThat(u.snapshot()).contains(SNAPSHOT));
    }

    @Test
    void anOlderSnapshotThatNamesNoWorkloadIsRefused() throws Exception {
        StateDirectory state = StateDirectory.open(tmp.resolve("state"));
        state.saveIdentity(svid(CA, Duration.ofHours(1)), BUNDLE);
        Path legacy = tmp.resolve("state").resolve(StateDirectory.LEGACY_SNAPSHOT);
        Files.writeString(legacy, "{}");

        assertThat(StateDirectory.open(tmp.resolve("state")).load(CLOCK))
                .isEqualTo(new StateDirectory.Stored.Unusable(legacy, "written by an older aimesh, and it names no workload"));
    }

    @Test
    void aStoredSnapshotOfAnotherFormatIsRefusedSayingSo() throws Exception {
        saved(svid(CA, Duration.ofHours(1)));
        Path file = tmp.resolve("state").resolve(StateDirectory.SNAPSHOT);
        Files.write(file, dev.aimesh.api.v1.StoredSnapshot.newBuilder().setConfigFormat(3).setWorkload("models/model").build()
                .toByteArray());

        assertThat(StateDirectory.open(tmp.resolve("state")).load(CLOCK)).isEqualTo(new StateDirectory.Stored.Unusable(file,
                "the snapshot cannot be read: format 3 (expected: 2); written by another version of aimesh"));
    }
}
