package dev.aimesh.bench.sidebyside;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CPU time and resident memory of a process and its descendants, read from {@code /proc} as the protocol
 * asks ({@code /proc/<pid>/stat} fields 14–15, {@code VmRSS} of {@code /proc/<pid>/status}); beside RSS, which
 * counts every shared page in full (the JDK's class-data archive, libraries, nginx's master and worker twice), the
 * proportional set size (PSS: shared pages divided among their sharers) and the anonymous resident memory (heap,
 * stacks, malloc: what the process itself allocated), both from {@code /proc/<pid>/smaps_rollup}.
 */
public final class ProcessTree {
    /** USER_HZ: the unit of utime and stime. 100 on every Linux this runs on; {@code getconf CLK_TCK} says so. */
    static final long TICKS_PER_SECOND = 100;

    private ProcessTree() {}

    /** A reading at one instant. */
    public record Sample(long nanoTime, long cpuTicks, long rssKiB, long pssKiB, long anonKiB) {
        /** CPU used between {@code earlier} and this sample, in cores (1.0 = one core busy all the time). */
        public double coresSince(Sample earlier) {
            double seconds = (nanoTime - earlier.nanoTime) / 1e9;
            return cpuSecondsSince(earlier) / seconds;
        }

        public double cpuSecondsSince(Sample earlier) {
            return (cpuTicks - earlier.cpuTicks) / (double) TICKS_PER_SECOND;
        }
    }

    public static Sample sample(long pid) {
        long ticks = 0;
        long rss = 0;
        long pss = 0;
        long anon = 0;
        for (long p : withDescendants(pid)) {
            ticks += cpuTicks(p);
            rss += rssKiB(p);
            String rollup = read(Path.of("/proc", Long.toString(p), "smaps_rollup"));
            pss += field(rollup, "Pss:");
            anon += field(rollup, "Anonymous:");
        }
        return new Sample(System.nanoTime(), ticks, rss, pss, anon);
    }

    static List<Long> withDescendants(long pid) {
        List<Long> all = new ArrayList<>();
        all.add(pid);
        ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> all.add(d.pid())));
        return all;
    }

    /** utime + stime; 0 for a process that is gone. */
    static long cpuTicks(long pid) {
        String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
        return stat.isEmpty() ? 0 : parseCpuTicks(stat);
    }

    /** The command name (field 2) may hold spaces and parentheses, so fields are counted after the last ')'. */
    static long parseCpuTicks(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        // fields[0] is field 3 (state): utime is field 14, stime field 15.
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    static long rssKiB(long pid) {
        return parseRssKiB(read(Path.of("/proc", Long.toString(pid), "status")));
    }

    static long parseRssKiB(String status) {
        return field(status, "VmRSS:");
    }

    /** The kB value of the line starting with {@code key} ("VmRSS:", "Pss:"), 0 when there is none. */
    static long field(String text, String key) {
        for (String line : text.split("\n")) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.substring(key.length()).replace("kB", "").trim());
            }
        }
        return 0;
    }

    /** The command line of {@code pid} (NUL-separated in {@code /proc/<pid>/cmdline}), empty for a process that is gone. */
    static List<String> commandLine(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return List.of(new String(raw, java.nio.charset.StandardCharsets.UTF_8).split("\0"));
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }
}
