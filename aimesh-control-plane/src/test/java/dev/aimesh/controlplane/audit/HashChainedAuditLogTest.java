package dev.aimesh.controlplane.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HashChainedAuditLogTest {
    @TempDir
    Path dir;

    private Path writeThree() {
        Path file = dir.resolve("audit.log");
        try (HashChainedAuditLog log = new HashChainedAuditLog(file)) {
            log.record(new AuditEvent(Instant.EPOCH, "svid.issued", AuditEvent.Outcome.ALLOWED, Map.of("spiffe_id", "spiffe://a/b")));
            log.record(new AuditEvent(Instant.EPOCH, "svid.refused", AuditEvent.Outcome.DENIED, Map.of("reason", "token-expired")));
        }
        try (HashChainedAuditLog reopened = new HashChainedAuditLog(file)) { // the chain continues across restarts
            reopened.record(new AuditEvent(Instant.EPOCH, "token.created", AuditEvent.Outcome.INFO, Map.of()));
        }
        return file;
    }

    @Test
    void anUntouchedLogVerifies() throws Exception {
        Path file = writeThree();
        assertThat(Files.readAllLines(file)).hasSize(3).allSatisfy(l -> assertThat(l).contains("\"hash\":"));
        assertThat(Files.readAllLines(file).get(2)).contains("\"seq\":3");
        assertThat(HashChainedAuditLog.verify(file)).isEmpty();
    }

    @Test
    void anEditedRemovedOrInsertedLineIsFound() throws Exception {
        Path file = writeThree();
        List<String> lines = Files.readAllLines(file);

        List<String> edited = new ArrayList<>(lines);
        edited.set(1, edited.get(1).replace("token-expired", "token-unknown"));
        Files.write(file, edited);
        assertThat(HashChainedAuditLog.verify(file)).contains(2L);

        List<String> removed = new ArrayList<>(lines);
        removed.remove(1);
        Files.write(file, removed);
        assertThat(HashChainedAuditLog.verify(file)).contains(2L);

        List<String> inserted = new ArrayList<>(lines);
        inserted.add(1, lines.get(0));
        Files.write(file, inserted);
        assertThat(HashChainedAuditLog.verify(file)).contains(2L);
    }

    @Test
    void eventsRecordedTogetherChainAsIfRecordedOneByOne() throws Exception {
        Path file = dir.resolve("batch.log");
        try (HashChainedAuditLog log = new HashChainedAuditLog(file)) {
            log.record(new AuditEvent(Instant.EPOCH, "control-plane.started", AuditEvent.Outcome.INFO, Map.of()));
            log.recordAll(List.of(
                    new AuditEvent(Instant.EPOCH, "authz.denied", AuditEvent.Outcome.DENIED, Map.of("path", "/a")),
                    new AuditEvent(Instant.EPOCH, "authz.denied", AuditEvent.Outcome.DENIED, Map.of("path", "/b"))));
            log.recordAll(List.of());
            log.record(new AuditEvent(Instant.EPOCH, "control-plane.stopped", AuditEvent.Outcome.INFO, Map.of()));
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(4);
        assertThat(lines.get(2)).contains("\"seq\":3", "\"path\":\"/b\"");
        assertThat(lines.get(3)).contains("\"seq\":4");
        assertThat(HashChainedAuditLog.verify(file)).isEmpty();
    }

    @Test
    void aSecondWriterIsRefusedWhileTheFirstHoldsTheLog() {
        Path file = dir.resolve("one-writer.log");
        try (HashChainedAuditLog first = new HashChainedAuditLog(file)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new HashChainedAuditLog(file))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("one log has one writer");
            first.record(new AuditEvent(Instant.EPOCH, "token.created", AuditEvent.Outcome.INFO, Map.of()));
        }
        new HashChainedAuditLog(file).close(); // free again once closed
    }

    @Test
    void aBrokenTailIsRefusedAndRecoveredOnlyWhenAskedAsANewSegmentThatVerifies() throws Exception {
        Path file = writeThree();
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        lines.set(1, lines.get(1).replace("token-expired", "token-unknown"));
        Files.write(file, lines);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new HashChainedAuditLog(file))
                .isInstanceOf(BrokenAuditChainException.class)
                .hasMessageContaining("breaks at line 2: its hash does not match its content").hasMessageContaining("--audit-recover");
        assertThat(Files.readAllLines(file)).isEqualTo(lines);

        try (HashChainedAuditLog recovered = new HashChainedAuditLog(file, HashChainedAuditLog.OnBrokenChain.RECOVER,
                InstantSource.fixed(Instant.EPOCH))) {
            recovered.record(new AuditEvent(Instant.EPOCH, "token.created", AuditEvent.Outcome.INFO, Map.of()));
        }
        List<String> after = Files.readAllLines(file);
        assertThat(after).hasSize(5);
        assertThat(after.get(3)).contains("\"type\":\"audit.recovered\"", "\"broken_line\":\"2\"", "\"seq\":4",
                "\"lines_after_break\":\"1\"", "\"resumes_after_seq\":\"1\"");
        HashChainedAuditLog.Verification verification = HashChainedAuditLog.verifyAll(file);
        assertThat(verification.brokenAt()).isEmpty();
        assertThat(verification.recoveredBreaks()).containsExactly(2L);
        new HashChainedAuditLog(file).close(); // a recorded break does not stop the next start
    }

    @Test
    void aLastLineCutShortIsABreakAndRecoveryPutsTheNextEntryOnItsOwnLine() throws Exception {
        Path file = writeThree();
        String text = Files.readString(file);
        Files.writeString(file, text + text.substring(0, 40)); // a write cut short by a crash
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new HashChainedAuditLog(file))
                .hasMessageContaining("breaks at line 4: the line is not a complete entry");
        new HashChainedAuditLog(file, HashChainedAuditLog.OnBrokenChain.RECOVER, InstantSource.system()).close();
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(5);
        assertThat(lines.get(3)).hasSize(40);
        assertThat(lines.get(4)).contains("audit.recovered");
        assertThat(HashChainedAuditLog.verify(file)).isEmpty();
    }

    @Test
    void onlyTheTailIsReadOnOpenAndItsBreaksAreNamedByLine() throws Exception {
        Path file = dir.resolve("long.log");
        AuditEvent padded = new AuditEvent(Instant.EPOCH, "svid.issued", AuditEvent.Outcome.ALLOWED, Map.of("pad", "x".repeat(2000)));
        try (HashChainedAuditLog log = new HashChainedAuditLog(file)) {
            for (int i = 0; i < 3000; i++) { // about 6 MB, more than the tail
                log.record(padded);
            }
        }
        assertThat(Files.size(file)).isGreaterThan(HashChainedAuditLog.TAIL_BYTES);
        new HashChainedAuditLog(file).close(); // the cut first line of the window is not a break
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        lines.remove(2990);
        Files.write(file, lines);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new HashChainedAuditLog(file))
                .hasMessageContaining("breaks at line 2991: it does not follow the line before");
    }
}
