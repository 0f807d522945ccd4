package dev.aimesh.testkit;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import dev.aimesh.testkit.CliProcess.Result;

/**
 * The live heap of another JVM (a proxy or control plane started as its own process), read with {@code jcmd}:
 * a figure that belongs to that process alone, unlike this JVM's heap, which every test class beside it shares.
 */
public final class ProcessHeap {
    private static final Pattern TOTAL = Pattern.compile("(?m)^Total\\s+(\\d+)\\s+(\\d+)\\s*$");

    private ProcessHeap() {}

    /**
     * Bytes of the objects alive in {@code process} after a full collection (the class histogram collects first);
     * the collection pauses that process only.
     */
    public static long live(Process process) {
        Result r = CliProcess.run(List.of(jcmd(), Long.toString(process.pid()), "GC.class_histogram"), Map.of(),
                Duration.ofSeconds(60));
        Matcher total = TOTAL.matcher(r.out());
        if (r.exit() != 0 || !total.find()) {
            throw new AssertionError("jcmd gave no heap histogram for process " + process.pid() + ":\n" + r);
        }
        return Long.parseLong(total.group(2));
    }

    /** The jcmd of the JDK running these tests, which can attach to the JVMs it started. */
    private static String jcmd() {
        return ProcessHandle.current().info().command().map(java -> java.replaceFirst("java$", "jcmd")).orElse("jcmd");
    }
}
