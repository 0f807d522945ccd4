package dev.aimesh.bench.sidebyside;

import java.time.Duration;

/**
 * How long and how hard each scenario runs. {@link #quick()} checks that everything runs, in a few minutes on two
 * cores, and judges no target ("not warm"); {@link #full()} follows the protocol in BENCHMARKS.md. Warm-up runs
 * rounds of {@code warmUpRound} at the measured rate and connection count for at least {@code minWarmUp}, until the
 * system is warm ({@link WarmUp}) or {@code maxWarmUp} has passed.
 */
public record BenchSettings(String name, Duration warmUpRound, Duration minWarmUp, Duration maxWarmUp, Duration measure,
        Duration saturation, Duration handshakes, int repeats, int rps, int connections, int saturationConnections, int h2Streams,
        int startups, Duration coldStart, int streams, long streamMinBytes, long streamMaxBytes, int streamChunks,
        int streamIntervalMillis, int authorizationRules) {

    public static BenchSettings quick() {
        return new BenchSettings("quick", Duration.ofSeconds(3), Duration.ofSeconds(9), Duration.ofSeconds(15), Duration.ofSeconds(5),
                Duration.ofSeconds(4), Duration.ofSeconds(3), 2, 1000, 100, 32, 100, 3, Duration.ofSeconds(20), 200, 64 * 1024,
                1024 * 1024, 100, 30, 50);
    }

    public static BenchSettings full() {
        return new BenchSettings("full", Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(300), Duration.ofSeconds(20),
                Duration.ofSeconds(10), Duration.ofSeconds(8), 3, 1000, 100, 32, 100, 5, Duration.ofSeconds(120), 200, 64 * 1024,
                1024 * 1024, 100, 30, 50);
    }

    public boolean quickRun() {
        return name.equals("quick");
    }

    public BenchSettings withColdStart(Duration d) {
        return new BenchSettings(name, warmUpRound, minWarmUp, maxWarmUp, measure, saturation, handshakes, repeats, rps, connections,
                saturationConnections, h2Streams, startups, d, streams, streamMinBytes, streamMaxBytes, streamChunks, streamIntervalMillis,
                authorizationRules);
    }
}
