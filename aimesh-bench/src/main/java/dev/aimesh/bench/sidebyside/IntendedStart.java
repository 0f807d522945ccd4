package dev.aimesh.bench.sidebyside;

import java.util.Arrays;
import java.util.List;

/**
 * Times each request of a paced open-loop run from when it should have started. h2load starts a client's next
 * request when its timer fires, but a client still waiting for its previous response (one request in flight per
 * connection) sends it late, and times it from then: a stall hides itself ("coordinated omission").
 *
 * <p>The paced run's starts, sorted, are meant to be one every {@code 1/rate} seconds; the i-th start's slot is
 * {@code anchor + i/rate}, the anchor set so that the earliest 1 % of starts are on time. A request that started
 * more than half a client period ({@code clients / rate}) after its slot was held back by a busy connection (that
 * is the only way h2load starts one late), and its latency is counted from the slot. Smaller deviations are the
 * timers' jitter and the clients' phases, which are not the system's doing: those keep h2load's own time.
 */
final class IntendedStart {
    private IntendedStart() {}

    /** Latencies in µs, one per request of {@code sorted} (by start), and the share counted from a slot. */
    record Corrected(long[] latencyMicros, double lateShare) {}

    static Corrected correct(List<LoggedRequest> sorted, double rps, int clients) {
        int n = sorted.size();
        long[] out = new long[n];
        if (n == 0) {
            return new Corrected(out, 0);
        }
        double step = 1e6 / rps;
        double[] lag = new double[n];
        long first = sorted.get(0).startMicros();
        for (int i = 0; i < n; i++) {
            lag[i] = sorted.get(i).startMicros() - first - i * step;
        }
        double[] byLag = lag.clone();
        Arrays.sort(byLag);
        double anchor = byLag[(int) Math.floor((n - 1) * 0.01)];
        double threshold = clients * step / 2;
        int late = 0;
        for (int i = 0; i < n; i++) {
            LoggedRequest r = sorted.get(i);
            double behind = lag[i] - anchor;
            if (behind > threshold) {
                late++;
                out[i] = r.latencyMicros() + Math.round(behind);
            } else {
                out[i] = r.latencyMicros();
            }
        }
        return new Corrected(out, late / (double) n);
    }
}
