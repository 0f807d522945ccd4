package dev.aimesh.bench.sidebyside;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The machine and the code a run measured, for the report's header: CPU ({@code lscpu}), versions, git commit, steal time. */
final class Machine {
    private Machine() {}

    /** The aggregate line of {@code /proc/stat}: all CPU time so far and the part the hypervisor stole. */
    record CpuTimes(long total, long steal) {
        double stealShareSince(CpuTimes earlier) {
            long t = total - earlier.total;
            return t <= 0 ? Double.NaN : (steal - earlier.steal) / (double) t;
        }
    }

    static CpuTimes cpuTimes() {
        try {
            return parseCpuTimes(Files.readAllLines(Path.of("/proc/stat")).get(0));
        } catch (IOException | RuntimeException e) {
            return new CpuTimes(0, 0);
        }
    }

    /** {@code cpu user nice system idle iowait irq softirq steal guest guest_nice}; guest time is inside user already. */
    static CpuTimes parseCpuTimes(String line) {
        String[] f = line.trim().split("\\s+");
        long total = 0;
        for (int i = 1; i <= Math.min(8, f.length - 1); i++) {
            total += Long.parseLong(f[i]);
        }
        return new CpuTimes(total, f.length > 8 ? Long.parseLong(f[8]) : 0);
    }

    static Map<String, String> describe(Path root) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("CPU", Preflight.firstMatch(Path.of("/proc/cpuinfo"), "model name") + ", " + Runtime.getRuntime().availableProcessors()
                + " cores");
        m.put("memory", Preflight.firstMatch(Path.of("/proc/meminfo"), "MemTotal"));
        m.put("kernel", Preflight.safe(List.of("uname", "-r")));
        String sha = Preflight.safe(List.of("git", "-C", root.toString(), "rev-parse", "HEAD"));
        String dirty = Preflight.safe(List.of("git", "-C", root.toString(), "status", "--porcelain", "--untracked-files=no"));
        m.put("aimesh commit", sha + (dirty.isBlank() ? "" : " with uncommitted changes"));
        m.put("java (driver, SSE upstream and client)", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("nginx", Preflight.safe(List.of("sh", "-c", "nginx -v 2>&1")));
        m.put("haproxy", Preflight.safe(List.of("haproxy", "-v")).lines().findFirst().orElse("?"));
        m.put("h2load", Preflight.safe(List.of("h2load", "--version")));
        m.put("wrk", Preflight.safe(List.of("sh", "-c", "wrk -v 2>&1; true")).lines().findFirst().orElse("?"));
        m.put("openssl", Preflight.safe(List.of("openssl", "version")));
        m.put("lscpu", Preflight.safe(List.of("lscpu")));
        return m;
    }
}
