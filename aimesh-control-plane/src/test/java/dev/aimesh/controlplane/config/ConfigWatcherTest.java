package dev.aimesh.controlplane.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigWatcherTest {
    /** Long enough that only file events can explain a reload within the test's wait. */
    private static final Duration NO_POLLING = Duration.ofHours(1);

    @TempDir
    Path dir;

    private final List<ConfigDirectory.Reading> readings = new CopyOnWriteArrayList<>();
    private ConfigWatcher watcher;

    private void watch(Duration poll, boolean fileEvents) {
        watcher = new ConfigWatcher(new ConfigDirectory(dir), new ConfigDirectory(dir).scan().fingerprint(), readings::add,
                poll, fileEvents);
    }

    @AfterEach
    void close() {
        if (watcher != null) {
            watcher.close();
        }
    }

    private static String workload(String name) {
        return "apiVersion: aimesh.dev/v1alpha1\nkind: Workload\nmetadata: {name: " + name + ", namespace: models}\n";
    }

    @Test
    void aWrittenFileIsReadOnItsEventWithoutWaitingForAPoll() throws Exception {
        watch(NO_POLLING, true);
        Files.writeString(dir.resolve("llm.yaml"), workload("llm"));

        await().atMost(Duration.ofSeconds(5)).until(() -> readings.size() == 1);
        assertThat(readings.get(0).config().workloads()).extracting(w -> w.name()).containsExactly("llm");
    }

    @Test
    void aFileInAFolderMadeAfterStartIsSeenToo() throws Exception {
        watch(NO_POLLING, true);
        Files.createDirectories(dir.resolve("team"));
        Files.writeString(dir.resolve("team/embed.yaml"), workload("embed"));

        await().atMost(Duration.ofSeconds(5)).until(() -> readings.stream()
                .anyMatch(r -> r.config().workloads().stream().anyMatch(w -> w.name().equals("embed"))));
    }

    @Test
    void aBurstOfWritesBecomesOneReloadOfTheLastContent() throws Exception {
        watch(NO_POLLING, true);
        for (int i = 0; i < 20; i++) {
            Files.writeString(dir.resolve("llm.yaml"), workload("llm-" + i));
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> !readings.isEmpty()
                && readings.get(readings.size() - 1).config().workloads().get(0).name().equals("llm-19"));
        assertThat(readings.size()).isLessThan(20);
    }

    @Test
    void withoutFileEventsPollingSeesAChangeOnceItHasSettled() throws Exception {
        watch(Duration.ofMillis(50), false);
        Files.writeString(dir.resolve("llm.yaml"), workload("llm"));

        await().atMost(Duration.ofSeconds(5)).until(() -> !readings.isEmpty());
        assertThat(readings).hasSize(1);
        assertThat(readings.get(0).config().workloads()).extracting(w -> w.name()).containsExactly("llm");
    }

    /** A save that truncates the file, then writes it (as Files.writeString or {@code cat >} do), seen in between. */
    @Test
    void aFileTruncatedToBeWrittenAgainIsNotReadWhileEmpty() throws Exception {
        watch(NO_POLLING, true);
        Path file = dir.resolve("llm.yaml");
        Files.writeString(file, workload("llm"));
        await().atMost(Duration.ofSeconds(5)).until(() -> readings.size() == 1);

        Files.writeString(file, "");
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> readings.size() == 1);
        Files.writeString(file, workload("llm-2"));
        await().atMost(Duration.ofSeconds(5)).until(() -> readings.size() == 2);
        assertThat(readings.get(1).config().workloads()).extracting(w -> w.name()).containsExactly("llm-2");
    }

    @Test
    void aFileLeftEmptyIsAppliedOnceAPollFindsItUnchanged() throws Exception {
        watch(Duration.ofMillis(50), true);
        Path file = dir.resolve("llm.yaml");
        Files.writeString(file, workload("llm"));
        await().atMost(Duration.ofSeconds(5)).until(() -> readings.size() == 1);

        Files.writeString(file, "");
        await().atMost(Duration.ofSeconds(5)).until(() -> readings.size() == 2);
        assertThat(readings.get(1).config().workloads()).isEmpty();
    }

    @Test
    void filesInHiddenFoldersDoNotCount() throws Exception {
        Files.createDirectories(dir.resolve(".state"));
        watch(NO_POLLING, true);
        Files.writeString(dir.resolve(".state/scratch.yaml"), "not: [yaml");
        Files.writeString(dir.resolve("llm.yaml"), workload("llm"));

        await().atMost(Duration.ofSeconds(5)).until(() -> !readings.isEmpty());
        assertThat(readings).allSatisfy(r -> assertThat(r.problems()).isEmpty());
    }
}
