package dev.aimesh.bench.sidebyside;

import java.util.ArrayList;
import java.util.List;

/**
 * The first seconds of a pair under load, from the moment it said it was ready: per second (of intended start)
 * the requests, failures, p50 and p99; the first request's latency; and when it became steady ({@link #steadyAfterSeconds}).
 * {@code referenceP99Millis} is the median per-second p99 of the run's last third, the reference when no warm p99 is known.
 */
public record ColdStart(double firstRequestMillis, List<Second> seconds, double referenceP99Millis,
        double first10sP99Millis, long first10sFailed, long failed, Pacing pacing) {
    static final double STEADY_FACTOR = 2.0;
    static final int FIRST_SECONDS = 10;

    public record Second(int second, int requests, int failed, double p50Millis, double p99Millis) {}

    /** @param sorted requests by start; {@code corrected} their latencies from the intended start, same order */
    static ColdStart of(List<LoggedRequest> sorted, long[] corrected, Pacing pacing) {
        if (sorted.isEmpty()) {
            return new ColdStart(Double.NaN, List.of(), Double.NaN, Double.NaN, 0, 0, pacing);
        }
        long t0 = sorted.get(0).startMicros();
        int last = 0;
        int[] secondOf = new int[sorted.size()];
        for (int i = 0; i < sorted.size(); i++) {
            LoggedRequest r = sorted.get(i);
            long intended = r.startMicros() - (corrected[i] - r.latencyMicros());
            secondOf[i] = (int) Math.max(0, (intended - t0) / 1_000_000);
            last = Math.max(last, secondOf[i]);
        }
        List<List<Long>> ok = new ArrayList<>();
        int[] failed = new int[last + 1];
        for (int s = 0; s <= last; s++) {
            ok.add(new ArrayList<>());
        }
        List<Long> first10 = new ArrayList<>();
        long first10Failed = 0;
        long allFailed = 0;
        for (int i = 0; i < sorted.size(); i++) {
            boolean good = sorted.get(i).ok();
            if (good) {
                ok.get(secondOf[i]).add(corrected[i]);
            } else {
                failed[secondOf[i]]++;
                allFailed++;
            }
            if (secondOf[i] < FIRST_SECONDS) {
                if (good) {
                    first10.add(corrected[i]);
                } else {
                    first10Failed++;
                }
            }
        }
        List<Second> seconds = new ArrayList<>();
        for (int s = 0; s <= last; s++) {
            long[] v = ok.get(s).stream().mapToLong(Long::longValue).sorted().toArray();
            seconds.add(new Second(s, v.length + failed[s], failed[s], LoadResult.percentileMillis(v, 50), LoadResult.percentileMillis(v, 99)));
        }
        // The last second is partial (the clients finish a few ms apart): leave it out of the reference.
        List<Second> full = seconds.size() > 3 ? seconds.subList(0, seconds.size() - 1) : seconds;
        double reference = Spread.of(full.subList(full.size() - Math.max(1, full.size() / 3), full.size()).stream()
                .map(Second::p99Millis).toList()).median();
        long[] f10 = first10.stream().mapToLong(Long::longValue).sorted().toArray();
        return new ColdStart(corrected[0] / 1000.0, List.copyOf(seconds), reference, LoadResult.percentileMillis(f10, 99),
                first10Failed, allFailed, pacing);
    }

    /**
     * The first second from which no (complete) second fails a request or has a p99 above {@link #STEADY_FACTOR} ×
     * {@code referenceP99Millis}; NaN when even the last second does.
     */
    double steadyAfterSeconds(double referenceP99Millis) {
        List<Second> full = seconds.size() > 3 ? seconds.subList(0, seconds.size() - 1) : seconds;
        double steady = Double.NaN;
        for (int s = full.size() - 1; s >= 0; s--) {
            Second sec = full.get(s);
            if (sec.failed() > 0 || !(sec.p99Millis() <= STEADY_FACTOR * referenceP99Millis)) {
                break;
            }
            steady = s;
        }
        return steady;
    }
}
