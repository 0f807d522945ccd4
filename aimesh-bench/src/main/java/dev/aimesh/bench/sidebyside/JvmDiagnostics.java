package dev.aimesh.bench.sidebyside;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What a proxy's JVM says of its own memory at a moment of a scenario, asked with {@code jcmd} and kept as files
 * beside the report: the native memory summary (only from a JVM started with
 * {@code -XX:NativeMemoryTracking=summary}, e.g. a {@code --jvm nmt=...} variant) and, where asked, the top of a
 * class histogram of every object on the heap ({@code -all}: no full collection first, so the run goes on as it
 * was; dead objects are counted too).
 */
final class JvmDiagnostics {
    /** Lines of a histogram kept: its header and the classes holding the most bytes. */
    private static final int HISTOGRAM_LINES = 42;

    private JvmDiagnostics() {}

    /** Writes what each of {@code sut}'s proxies says into the workspace; the files written. */
    static List<Path> capture(Workspace ws, SystemUnderTest sut, String moment, boolean histogram) {
        return capture(ws.dir(), sut.name().replaceAll("[^a-zA-Z0-9]+", "-"), sut.proxies().stream().map(Launched::pid).toList(),
                moment, histogram);
    }

    /** The same for the JVMs {@code pids} (a, b, ...), files named after {@code tag} and {@code moment}. */
    static List<Path> capture(Path dir, String tag, List<Long> pids, String moment, boolean histogram) {
        List<Path> written = new ArrayList<>();
        for (int i = 0; i < pids.size(); i++) {
            String proxy = tag + "-" + (char) ('a' + i) + "-" + moment;
            long pid = pids.get(i);
            String nmt = jcmd(pid, "VM.native_memory", "summary");
            if (nmt.contains("Total: reserved")) {
                written.add(write(dir.resolve("nmt-" + proxy + ".txt"), nmt));
            }
            if (histogram) {
                String top = String.join("\n", jcmd(pid, "GC.class_histogram", "-all").lines().limit(HISTOGRAM_LINES).toList());
                if (top.contains("#instances")) {
                    written.add(write(dir.resolve("histogram-" + proxy + ".txt"), top + "\n"));
                }
            }
        }
        return written;
    }

    private static Path write(Path file, String text) {
        try {
            return Files.writeString(file, text);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** What jcmd printed (or why it printed nothing); never fails the run. */
    private static String jcmd(long pid, String... command) {
        List<String> cmd = new ArrayList<>(List.of(Jvm.java().replaceFirst("java$", "jcmd"), Long.toString(pid)));
        cmd.addAll(List.of(command));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "jcmd failed: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
