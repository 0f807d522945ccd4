package dev.aimesh.controlplane.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
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
}
