package dev.aimesh.bench.sidebyside;

import java.util.Arrays;
import java.util.List;

/**
 * Whether an open-loop run offered what it claimed: requests started at the offered rate and spread evenly in
 * time, not in bursts. h2load's clients each fire every {@code clients / rate} seconds; unless their starts are
 * staggered, all of them fire together and "1000 RPS" is 100-request bursts ten times a second.
 *
 * <p>A run is valid when (1) the achieved start rate is within {@link #RATE_TOLERANCE} of the offered rate and
 * (2) the 99th percentile of requests started per {@link #BIN_MICROS} bin is at most {@link #BURST_LIMIT} times
 * the expected count (even pacing gives about 1×, in-phase clients 10× at 1000 RPS over 100 connections).
 */
public record Pacing(double offeredRps, double achievedRps, double burstRatio, double lateShare, List<String> problems) {
    static final double RATE_TOLERANCE = 0.02;
    static final long BIN_MICROS = 10_000;
    static final double BURST_LIMIT = 2.0;

    public boolean valid() {
        return problems.isEmpty();
    }

    /** @param sorted the run's requests by start time; {@code lateShare} comes from {@link IntendedStart} */
    static Pacing check(List<LoggedRequest> sorted, double offeredRps, double lateShare) {
        if (sorted.size() < 2) {
            return new Pacing(offeredRps, 0, Double.NaN, lateShare, List.of("fewer than two requests started"));
        }
        long first = sorted.get(0).startMicros();
        long last = sorted.get(sorted.size() - 1).startMicros();
        double achieved = last == first ? Double.POSITIVE_INFINITY : (sorted.size() - 1) * 1e6 / (last - first);
        int bins = (int) ((last - first) / BIN_MICROS) + 1;
        int[] counts = new int[bins];
        for (LoggedRequest r : sorted) {
            counts[(int) ((r.startMicros() - first) / BIN_MICROS)]++;
        }
        // The first and last bins are partial.
        int[] inner = bins > 2 ? Arrays.copyOfRange(counts, 1, bins - 1) : counts;
        Arrays.sort(inner);
        double expected = offeredRps * BIN_MICROS / 1e6;
        double burst = inner[Math.min(inner.length - 1, (int) Math.ceil(inner.length * 0.99) - 1)] / expected;
        List<String> problems = new java.util.ArrayList<>();
        if (Math.abs(achieved - offeredRps) > RATE_TOLERANCE * offeredRps) {
            problems.add("started %.0f req/s of %.0f offered".formatted(achieved, offeredRps));
        }
        if (burst > BURST_LIMIT) {
            problems.add("bursts: p99 of starts per %d ms is %.1f× the even share".formatted(BIN_MICROS / 1000, burst));
        }
        return new Pacing(offeredRps, achieved, burst, lateShare, List.copyOf(problems));
    }

    String verdict() {
        return valid() ? "paced" : "INVALID: " + String.join("; ", problems);
    }
}
