package dev.aimesh.bench.sidebyside;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.Optional;

/** Everything one run measured, by system; the report is written from this alone. */
public final class Results {
    /** The direct path measured again at the end of the run, under this name. */
    static final String DIRECT_AFTER = "direct (after)";

    /** One open-loop repetition: the load generator's view, and each proxy's CPU and memory meanwhile. */
    public record LatencyRun(LoadResult load, List<Double> proxyCores, List<ProcessTree.Sample> proxyMemory,
            Optional<SystemUnderTest.ReuseCounts> reuse) {
        double rssMiB(int proxy) {
            return proxyMemory.get(proxy).rssKiB() / 1024.0;
        }

        double pssMiB(int proxy) {
            return proxyMemory.get(proxy).pssKiB() / 1024.0;
        }

        double anonMiB(int proxy) {
            return proxyMemory.get(proxy).anonKiB() / 1024.0;
        }
    }

    /** One closed-loop repetition: the rate reached and each proxy's CPU; wrk's rate on the same target, if it ran. */
    public record ThroughputRun(LoadResult load, List<Double> proxyCores, double wrkRps) {}

    /** One handshake repetition: handshakes B completed, in how long, and B's CPU seconds meanwhile. */
    public record HandshakeRun(long handshakes, double seconds, double cpuSeconds) {
        public double perSecond() {
            return handshakes / seconds;
        }

        public double perCpuSecond() {
            return cpuSeconds <= 0 ? Double.NaN : handshakes / cpuSeconds;
        }
    }

    public final Map<String, WarmUp> warmUps = new LinkedHashMap<>();
    public final Map<String, ColdStart> coldStarts = new LinkedHashMap<>();
    public final Map<String, Map<String, List<LatencyRun>>> latency = new LinkedHashMap<>();
    public final Map<String, Map<String, List<ThroughputRun>>> throughput = new LinkedHashMap<>();
    public final Map<String, List<HandshakeRun>> handshakes = new LinkedHashMap<>();
    public final Map<String, TlsProbe.Result> probes = new LinkedHashMap<>();
    public final Map<String, String> tlsPinning = new LinkedHashMap<>();
    public final Map<String, List<Streaming.Result>> streaming = new LinkedHashMap<>();
    public final Map<String, List<Duration>> startups = new LinkedHashMap<>();
    public final Map<String, String> jvmFlags = new LinkedHashMap<>();
    public final Map<String, String> systemNotes = new LinkedHashMap<>();
    public final List<Path> gcLogs = new ArrayList<>();
    /** What the proxies' JVMs said of their memory ({@link JvmDiagnostics}), copied beside the report. */
    public final List<Path> jvmDiagnostics = new ArrayList<>();
    /** Other processes found busy at the start (only with --force) or before a system, and the steal time over the run. */
    public final List<String> contention = new ArrayList<>();
    public double stealShare = Double.NaN;

    void add(String system, String scenario, LatencyRun run) {
        latency.computeIfAbsent(scenario, k -> new LinkedHashMap<>()).computeIfAbsent(system, k -> new ArrayList<>()).add(run);
    }

    void add(String system, String scenario, ThroughputRun run) {
        throughput.computeIfAbsent(scenario, k -> new LinkedHashMap<>()).computeIfAbsent(system, k -> new ArrayList<>()).add(run);
    }

    void add(String system, HandshakeRun run) {
        handshakes.computeIfAbsent(system, k -> new ArrayList<>()).add(run);
    }

    void addStartup(String system, Duration d) {
        startups.computeIfAbsent(system, k -> new ArrayList<>()).add(d);
    }

    void add(String system, Streaming.Result r) {
        streaming.computeIfAbsent(system, k -> new ArrayList<>()).add(r);
    }

    /** Median and range over the repetitions of a latency scenario for one system. */
    Spread latency(String scenario, String system, ToDoubleFunction<LatencyRun> metric) {
        return Spread.of(runs(scenario, system).stream().map(r -> metric.applyAsDouble(r)).toList());
    }

    List<LatencyRun> runs(String scenario, String system) {
        return latency.getOrDefault(scenario, Map.of()).getOrDefault(system, List.of());
    }

    /** The baseline of added latency: the direct path's runs before and after the systems, together. */
    Spread direct(String scenario, ToDoubleFunction<LatencyRun> metric) {
        List<LatencyRun> both = new ArrayList<>(runs(scenario, "direct"));
        both.addAll(runs(scenario, DIRECT_AFTER));
        return Spread.of(both.stream().map(r -> metric.applyAsDouble(r)).toList());
    }

    Spread throughput(String scenario, String system, ToDoubleFunction<ThroughputRun> metric) {
        List<ThroughputRun> runs = throughput.getOrDefault(scenario, Map.of()).getOrDefault(system, List.of());
        return Spread.of(runs.stream().map(r -> metric.applyAsDouble(r)).toList());
    }

    Spread handshakes(String system, ToDoubleFunction<HandshakeRun> metric) {
        return Spread.of(handshakes.getOrDefault(system, List.of()).stream().map(r -> metric.applyAsDouble(r)).toList());
    }

    Spread streaming(String system, ToDoubleFunction<Streaming.Result> metric) {
        return Spread.of(streaming.getOrDefault(system, List.of()).stream().map(r -> metric.applyAsDouble(r)).toList());
    }

    /** Whether every open-loop run of {@code system} was paced. */
    boolean paced(String system) {
        return latency.values().stream().flatMap(m -> m.getOrDefault(system, List.of()).stream()).allMatch(r -> r.load().paced());
    }

    /**
     * Why the whole run cannot be trusted, empty when it can: the direct path was not paced, or its p50 (before or
     * after) is far above a loopback round trip ({@link #DIRECT_P50_LIMIT_MS}), which means the load generator or the
     * machine, not the proxies, set the figures.
     */
    List<String> invalidBecause() {
        List<String> why = new ArrayList<>();
        for (String direct : List.of("direct", DIRECT_AFTER)) {
            for (var e : latency.entrySet()) {
                for (LatencyRun run : e.getValue().getOrDefault(direct, List.of())) {
                    if (!run.load().paced()) {
                        why.add(direct + " " + e.getKey() + ": " + run.load().pacing().verdict());
                    }
                }
                double p50 = Spread.of(e.getValue().getOrDefault(direct, List.of()).stream().map(r -> r.load().percentileMillis(50)).toList())
                        .median();
                if (p50 > DIRECT_P50_LIMIT_MS) {
                    why.add("%s %s: p50 %.3f ms, above the %.1f ms a loopback round trip may take".formatted(direct, e.getKey(), p50,
                            DIRECT_P50_LIMIT_MS));
                }
            }
        }
        if (stealShare > STEAL_LIMIT) {
            why.add("the hypervisor took %.1f %% of the CPU time (steal) during the run".formatted(stealShare * 100));
        }
        why.addAll(contention.stream().map(c -> "another process was using the CPU " + c).toList());
        return why.stream().distinct().toList();
    }

    static final double DIRECT_P50_LIMIT_MS = 1.0;
    static final double STEAL_LIMIT = 0.02;
}
