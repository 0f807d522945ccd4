package dev.aimesh.bench.sidebyside;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** What must hold before measuring: the tools are there, two CPUs, and nothing else is keeping the CPUs busy. */
final class Preflight {
    /** A process using more than this share of a core is "heavy": its noise would swamp a proxy's. */
    static final double BUSY_CORES = 0.25;
    private static final List<String> TOOLS = List.of("h2load", "wrk", "nginx", "haproxy", "openssl", "taskset", "lscpu");

    private Preflight() {}

    /** Missing tools or CPUs; the busy processes are {@link #busyProcesses}'s, which the caller may override. */
    static List<String> problems() {
        List<String> problems = new ArrayList<>();
        for (String tool : TOOLS) {
            if (Launched.onPath(tool).isEmpty()) {
                problems.add(tool + " is not on the PATH (bench/run installs nginx, haproxy, wrk and nghttp2-client from Debian)");
            }
        }
        if (Runtime.getRuntime().availableProcessors() < 2) {
            problems.add("this needs 2 CPUs (one for the load generator and upstream, one for the proxies); "
                    + Runtime.getRuntime().availableProcessors() + " available");
        }
        return problems;
    }

    /** Processes outside this JVM that used more than {@link #BUSY_CORES} over {@code window}. */
    static List<String> busyProcesses(Duration window) throws InterruptedException {
        Map<Long, Long> before = ticksByPid();
        Thread.sleep(window.toMillis());
        Map<Long, Long> after = ticksByPid();
        // This driver and what it started (the upstreams, the control plane, a pair left running) are not noise.
        java.util.Set<Long> ours = new java.util.HashSet<>();
        ours.add(ProcessHandle.current().pid());
        ProcessHandle.current().descendants().forEach(d -> ours.add(d.pid()));
        List<String> busy = new ArrayList<>();
        after.forEach((pid, ticks) -> {
            double cores = (ticks - before.getOrDefault(pid, ticks)) / (double) ProcessTree.TICKS_PER_SECOND / (window.toMillis() / 1000.0);
            if (!ours.contains(pid) && cores > BUSY_CORES) {
                busy.add("pid " + pid + " (" + command(pid) + ") at " + Math.round(cores * 100) + "% of a core");
            }
        });
        return busy;
    }

    private static Map<Long, Long> ticksByPid() {
        Map<Long, Long> ticks = new HashMap<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            procs.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit))
                    .forEach(n -> ticks.put(Long.parseLong(n), ProcessTree.cpuTicks(Long.parseLong(n))));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc: this benchmark needs Linux", e);
        }
        return ticks;
    }

    private static String command(long pid) {
        return ProcessHandle.of(pid).flatMap(h -> h.info().command()).map(c -> Path.of(c).getFileName().toString()).orElse("?");
    }

    static String hostName() {
        try {
            return Files.readString(Path.of("/etc/hostname")).strip().replaceAll("[^a-zA-Z0-9.-]", "");
        } catch (IOException e) {
            return "localhost";
        }
    }

    static String firstMatch(Path file, String key) {
        try {
            return Files.readAllLines(file).stream().filter(l -> l.startsWith(key)).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    static String safe(List<String> command) {
        try {
            return Launched.run(command, Duration.ofSeconds(10)).strip();
        } catch (RuntimeException e) {
            return "?";
        }
    }
}
