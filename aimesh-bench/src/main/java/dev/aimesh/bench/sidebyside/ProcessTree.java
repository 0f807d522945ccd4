package dev.aimesh.bench.sidebyside;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CPU time and resident memory of a process and its descendants, read from {@code /proc} as the protocol
 * asks ({@code /proc/<pid>/stat} fields 14–15, {@code VmRSS} of {@code /proc/<pid>/status}).
 */
public final class ProcessTree {
    /** USER_HZ: the unit of utime and stime. 100 on every Linux this runs on; {@code getconf CLK_TCK} says so. */
    static final long TICKS_PER_SECOND = 100;

    private ProcessTree() {}

    /** A reading at one instant. */
    public record Sample(long nanoTime, long cpuTicks, long rssKiB) {
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
        for (long p : withDescendants(pid)) {
            ticks += cpuTicks(p);
            rss += rssKiB(p);
        }
        return new Sample(System.nanoTime(), ticks, rss);
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
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.substring(6).replace("kB", "").trim());
            }
        }
        return 0;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }
}
