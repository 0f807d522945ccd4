package dev.aimesh.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import dev.aimesh.testkit.CliProcess.Result;

/**
 * Test classes run side by side in one JVM, each starting curl and the CLI: one command's result must not wait
 * for another's, however long that one runs (a curl held by a model that never answers, a CLI call timing out).
 */
class CliProcessTest {
    @Test
    void aQuickCommandIsNotHeldBehindASlowOneStartedBeforeIt() throws Exception {
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            CompletableFuture<Result> slow = CompletableFuture.supplyAsync(
                    () -> CliProcess.run(List.of("sh", "-c", "sleep 6; echo slow"), Map.of(), Duration.ofSeconds(30)), threads);
            Thread.sleep(500); // the slow one is reading its output by now

            long start = System.nanoTime();
            Result quick = CliProcess.run(List.of("sh", "-c", "echo quick; echo more >&2"), Map.of(), Duration.ofSeconds(30));
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(quick.exit()).isZero();
            assertThat(quick.out()).isEqualTo("quick\n");
            assertThat(quick.err()).isEqualTo("more\n");
            assertThat(took).as("the quick command's result, while the slow one still runs").isLessThan(Duration.ofSeconds(3));
            assertThat(slow.get(30, TimeUnit.SECONDS).out()).isEqualTo("slow\n");
        }
    }

    @Test
    void aCommandOverItsTimeoutIsKilledAndNamed() {
        long start = System.nanoTime();
        try {
            CliProcess.run(List.of("sleep", "30"), Map.of(), Duration.ofMillis(500));
            throw new IllegalStateException("not timed out");
        } catch (AssertionError e) {
            assertThat(e).hasMessageContaining("timed out after PT0.5S").hasMessageContaining("sleep");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }
}
