package dev.aimesh.bench.sidebyside;

import java.util.List;

/**
 * Times each request of a paced open-loop run from when it should have started. Each h2load connection has one
 * request in flight ({@code -m 1}) and a timer that fires every {@code period = clients / rate} seconds; when it
 * fires while the previous response is still outstanding, the request waits and is sent the moment that response
 * ends, and h2load times it from then: a stall hides itself ("coordinated omission").
 *
 * <p>The log does not say which connection sent what, but a held-back request is recognizable: it starts within
 * {@link #SAME_CALLBACK_MICROS} of the end of a response that ended after its own successor's slot (its intended
 * start + period). That successor's intended start is the slot; following the chain, a request queued behind a
 * queued one gets its slot too. Its latency is then counted from the slot. A request that started on its own tick
 * keeps h2load's time.
 */
final class IntendedStart {
    /** h2load sends a waiting request from the callback that saw the previous response end: within microseconds. */
    static final long SAME_CALLBACK_MICROS = 100;

    private IntendedStart() {}

    /** Latencies in µs, one per request of {@code sorted} (by start), and the share that was held back. */
    record Corrected(long[] latencyMicros, double lateShare) {}

    static Corrected correct(List<LoggedRequest> sorted, double rps, int clients) {
        int n = sorted.size();
        long[] starts = new long[n];
        long[] intended = new long[n];
        for (int i = 0; i < n; i++) {
            starts[i] = sorted.get(i).startMicros();
            intended[i] = starts[i];
        }
        long period = Math.round(clients * 1e6 / rps);
        boolean[] claimed = new boolean[n];
        int late = 0;
        for (int i = 0; i < n; i++) {
            LoggedRequest r = sorted.get(i);
            long end = r.endMicros();
            long nextSlot = intended[i] + period;
            if (end < nextSlot) {
                continue; // the connection was free when its next tick came
            }
            int j = closestStart(starts, claimed, end, i + 1);
            if (j >= 0) {
                claimed[j] = true;
                intended[j] = Math.min(intended[j], nextSlot);
            }
        }
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            LoggedRequest r = sorted.get(i);
            out[i] = r.endMicros() - intended[i];
            if (intended[i] < starts[i]) {
                late++;
            }
        }
        return new Corrected(out, n == 0 ? 0 : late / (double) n);
    }

    /** The unclaimed request after {@code from} whose start is nearest {@code end}, within the callback window; -1 if none. */
    private static int closestStart(long[] starts, boolean[] claimed, long end, int from) {
        int lo = from;
        int hi = starts.length;
        long earliest = end - SAME_CALLBACK_MICROS;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (starts[mid] < earliest) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        int best = -1;
        long bestDistance = Long.MAX_VALUE;
        for (int k = lo; k < starts.length && starts[k] <= end + SAME_CALLBACK_MICROS; k++) {
            long d = Math.abs(starts[k] - end);
            if (!claimed[k] && d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best;
    }
}
