package dev.aimesh.bench.sidebyside;

import java.time.Duration;

/**
 * How long and how hard each scenario runs. {@link #quick()} fits the whole comparison in a few minutes
 * on two cores; {@link #full()} follows the protocol in BENCHMARKS.md (≥ 30 s warm-up, ≥ 3 repeats). Warm-up
 * lasts at least {@code warmUp} and goes on, up to {@code maxWarmUp}, until the throughput stops climbing:
 * a JVM's optimizing compiler needs a minute or more when it shares one core with the traffic.
 */
public record BenchSettings(String name, Duration warmUp, Duration maxWarmUp, Duration measure, Duration saturation, Duration handshakes,
        int repeats, int rps, int connections, int saturationConnections, int h2Streams, int startups) {

    public static BenchSettings quick() {
        return new BenchSettings("quick", Duration.ofSeconds(10), Duration.ofSeconds(40), Duration.ofSeconds(5),
                Duration.ofSeconds(4), Duration.ofSeconds(3), 2, 1000, 100, 32, 100, 3);
    }

    public static BenchSettings full() {
        return new BenchSettings("full", Duration.ofSeconds(30), Duration.ofSeconds(150), Duration.ofSeconds(20),
                Duration.ofSeconds(10), Duration.ofSeconds(8), 3, 1000, 100, 32, 100, 5);
    }

    /** Requests per second that each of the {@link #connections} load-generator clients sends. */
    public int rpsPerConnection() {
        return Math.max(1, rps / connections);
    }
}
