package dev.aimesh.bench.sidebyside;

import java.util.Arrays;

/**
 * One load-generator run: requests that succeeded and failed, the rate reached, and each successful request's
 * latency (for an open loop, timed from its intended start: {@link IntendedStart}); {@code pacing} is null for a
 * closed loop.
 */
public record LoadResult(long succeeded, long failed, double requestsPerSecond, long[] latencyMicros, Pacing pacing) {
    public LoadResult {
        latencyMicros = latencyMicros.clone();
        Arrays.sort(latencyMicros);
    }

    public LoadResult(long succeeded, long failed, double requestsPerSecond, long[] latencyMicros) {
        this(succeeded, failed, requestsPerSecond, latencyMicros, null);
    }

    /** Nearest-rank percentile in milliseconds ({@code q} in [0, 100]). */
    public double percentileMillis(double q) {
        return percentileMillis(latencyMicros, q);
    }

    /** Nearest-rank percentile in milliseconds of {@code sorted} µs values. */
    static double percentileMillis(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1000.0;
    }

    /** False only for an open loop whose pacing failed. */
    public boolean paced() {
        return pacing == null || pacing.valid();
    }
}
