package dev.aimesh.bench.sidebyside;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The warm-up of one system at the measured rate and connection count, round by round, and whether it ended warm:
 * the last {@link #ROUNDS_THAT_AGREE} rounds paced, their p50s within {@link #AGREE} of their median and not
 * moving one way (a trend: each round lower, or each higher, by more than {@link #TREND} overall), and the JIT quiet
 * in the last round (at most {@link #JIT_QUIET} methods compiled, counted from {@code -Xlog:jit+compilation}; a
 * system that is not a JVM has nothing to compile).
 */
public record WarmUp(List<Round> rounds, Duration took, boolean warm, String verdict) {
    static final int ROUNDS_THAT_AGREE = 3;
    static final double AGREE = 0.03;
    static final double TREND = 0.01;
    static final long JIT_QUIET = 10;

    /** @param compilations methods the proxies' JITs compiled during the round, -1 when there is no JVM */
    public record Round(double endSeconds, double p50Millis, double p99Millis, long compilations, boolean paced) {}

    /** Empty when {@code rounds} end warm, otherwise why not. */
    static Optional<String> notWarmBecause(List<Round> rounds) {
        if (rounds.size() < ROUNDS_THAT_AGREE) {
            return Optional.of("fewer than " + ROUNDS_THAT_AGREE + " rounds");
        }
        List<Round> last = rounds.subList(rounds.size() - ROUNDS_THAT_AGREE, rounds.size());
        if (!last.stream().allMatch(Round::paced)) {
            return Optional.of("a recent round was not paced");
        }
        Round latest = last.get(last.size() - 1);
        if (latest.compilations() > JIT_QUIET) {
            return Optional.of("the JIT compiled " + latest.compilations() + " methods in the last round");
        }
        double median = Spread.of(last.stream().map(Round::p50Millis).toList()).median();
        for (Round r : last) {
            if (!(Math.abs(r.p50Millis() - median) <= AGREE * median)) {
                return Optional.of("p50s of the last %d rounds differ by more than ±%.0f %% (%s)".formatted(ROUNDS_THAT_AGREE, AGREE * 100,
                        p50s(last)));
            }
        }
        boolean falling = true;
        boolean rising = true;
        for (int i = 1; i < last.size(); i++) {
            falling &= last.get(i).p50Millis() < last.get(i - 1).p50Millis();
            rising &= last.get(i).p50Millis() > last.get(i - 1).p50Millis();
        }
        double change = Math.abs(latest.p50Millis() - last.get(0).p50Millis());
        if ((falling || rising) && change > TREND * median) {
            return Optional.of("p50 still " + (falling ? "falling" : "rising") + " (" + p50s(last) + ")");
        }
        return Optional.empty();
    }

    private static String p50s(List<Round> rounds) {
        return String.join(" → ", rounds.stream().map(r -> "%.3f".formatted(r.p50Millis())).toList()) + " ms";
    }
}
