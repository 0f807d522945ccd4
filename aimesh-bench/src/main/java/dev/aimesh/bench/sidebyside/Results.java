package dev.aimesh.bench.sidebyside;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/** Everything one run measured, by system; the report is written from this alone. */
public final class Results {
    /** One open-loop repetition: the load generator's view, and each proxy's CPU and memory meanwhile. */
    public record LatencyRun(LoadResult load, List<Double> proxyCores, List<Long> proxyRssKiB,
            Optional<SystemUnderTest.ReuseCounts> reuse) {}

    /** One closed-loop repetition: the rate reached and each proxy's CPU. */
    public record ThroughputRun(LoadResult load, List<Double> proxyCores) {}

    /** One handshake repetition: handshakes B completed, in how long, and B's CPU seconds meanwhile. */
    public record HandshakeRun(long handshakes, double seconds, double cpuSeconds) {
        public double perSecond() {
            return handshakes / seconds;
        }

        public double perCpuSecond() {
            return cpuSeconds <= 0 ? Double.NaN : handshakes / cpuSeconds;
        }
    }

    /** How long a system was warmed, and whether its rate had become steady by then. */
    public record WarmUp(Duration took, boolean steady) {}

    public final Map<String, WarmUp> warmUps = new LinkedHashMap<>();
    public final Map<String, Map<String, List<LatencyRun>>> latency = new LinkedHashMap<>();
    public final Map<String, Map<String, List<ThroughputRun>>> throughput = new LinkedHashMap<>();
    public final Map<String, List<HandshakeRun>> handshakes = new LinkedHashMap<>();
    public final Map<String, List<Duration>> startups = new LinkedHashMap<>();
    public final Map<String, String> systemNotes = new LinkedHashMap<>();

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

    /** Median and range over the repetitions of a latency scenario for one system. */
    Spread latency(String scenario, String system, ToDoubleFunction<LatencyRun> metric) {
        List<LatencyRun> runs = latency.getOrDefault(scenario, Map.of()).getOrDefault(system, List.of());
        return Spread.of(runs.stream().map(r -> metric.applyAsDouble(r)).toList());
    }

    Spread throughput(String scenario, String system, ToDoubleFunction<ThroughputRun> metric) {
        List<ThroughputRun> runs = throughput.getOrDefault(scenario, Map.of()).getOrDefault(system, List.of());
        return Spread.of(runs.stream().map(r -> metric.applyAsDouble(r)).toList());
    }

    Spread handshakes(String system, ToDoubleFunction<HandshakeRun> metric) {
        return Spread.of(handshakes.getOrDefault(system, List.of()).stream().map(r -> metric.applyAsDouble(r)).toList());
    }
}
