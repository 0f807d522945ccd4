package dev.aimesh.bench.sidebyside;

import java.util.Arrays;

/** One load-generator run: requests that succeeded and failed, the rate reached, and each request's latency. */
public record LoadResult(long succeeded, long failed, double requestsPerSecond, long[] latencyMicros) {
    public LoadResult {
        latencyMicros = latencyMicros.clone();
        Arrays.sort(latencyMicros);
    }

    /** Nearest-rank percentile in milliseconds ({@code q} in [0, 100]). */
    public double percentileMillis(double q) {
        if (latencyMicros.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q / 100.0 * latencyMicros.length);
        return latencyMicros[Math.max(0, Math.min(latencyMicros.length - 1, rank - 1))] / 1000.0;
    }
}
