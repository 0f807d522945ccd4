package dev.aimesh.bench.sidebyside;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * jcmd against JVMs this test starts (as the harness does against its proxies): the native memory summary only
 * from the one that tracks native memory, the top of the histogram from both.
 */
class JvmDiagnosticsTest {
    @TempDir
    Path dir;

    /** A JVM that waits for its stdin to close, with {@code options}, ready to be attached to. */
    private static Process idleJvm(String... options) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Jvm.java(), "-Xmx32m"));
        cmd.addAll(List.of(options));
        cmd.addAll(List.of("-cp", Jvm.classPath(), IdleMain.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertThat(new String(p.getInputStream().readNBytes(6), java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("ready\n");
        return p;
    }

    @Test
    void writesTheSummaryOfAJvmThatTracksNativeMemoryAndTheTopOfEachHistogram() throws Exception {
        Process tracked = idleJvm("-XX:NativeMemoryTracking=summary");
        Process untracked = idleJvm();
        try {
            List<Path> files = JvmDiagnostics.capture(dir, "aimesh-nmt", List.of(tracked.pid(), untracked.pid()), "streaming", true);
            assertThat(files).containsExactly(dir.resolve("nmt-aimesh-nmt-a-streaming.txt"),
                    dir.resolve("histogram-aimesh-nmt-a-streaming.txt"), dir.resolve("histogram-aimesh-nmt-b-streaming.txt"));
            assertThat(Files.readString(files.get(0))).contains("Total: reserved", "Java Heap (reserved=");
            List<String> histogram = Files.readAllLines(files.get(2));
            assertThat(histogram).hasSizeLessThanOrEqualTo(42);
            assertThat(String.join("\n", histogram)).contains("#instances", "#bytes", "java.lang.String");
            assertThat(JvmDiagnostics.capture(dir, "aimesh", List.of(untracked.pid()), "latency", false)).isEmpty();
        } finally {
            for (Process p : List.of(tracked, untracked)) {
                p.getOutputStream().close();
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    /** The JVM {@link #idleJvm} starts. */
    public static final class IdleMain {
        public static void main(String[] args) throws Exception {
            System.out.print("ready\n");
            System.out.flush();
            System.in.read();
        }
    }
}
