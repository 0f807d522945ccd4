package dev.aimesh.bench.sidebyside;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The judgements the report rests on: pacing, time from the intended start, cold-start seconds, warm-up. */
class PacedLoadTest {
    private static final long T0 = 1_764_613_000_000_000L;

    /** {@code n} requests, one every {@code stepMicros}, each taking {@code latency} µs. */
    private static List<LoggedRequest> even(int n, long stepMicros, long latency) {
        List<LoggedRequest> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new LoggedRequest(T0 + i * stepMicros, 200, latency));
        }
        return out;
    }

    @Test
    void evenStartsAtTheOfferedRateArePaced() {
        Pacing p = Pacing.check(even(5000, 1000, 200), 1000, 0);
        assertThat(p.valid()).isTrue();
        assertThat(p.achievedRps()).isEqualTo(1000.0);
        assertThat(p.burstRatio()).isEqualTo(1.0);
        assertThat(p.verdict()).isEqualTo("paced");
    }

    @Test
    void clientsFiringInPhaseAreBursts() {
        // 100 connections started together, each every 100 ms: 100 requests at once, ten times a second.
        List<LoggedRequest> bursts = new ArrayList<>();
        for (int period = 0; period < 50; period++) {
            for (int c = 0; c < 100; c++) {
                bursts.add(new LoggedRequest(T0 + period * 100_000L + c * 5, 200, 300));
            }
        }
        bursts.sort(Comparator.comparingLong(LoggedRequest::startMicros));
        Pacing p = Pacing.check(bursts, 1000, 0);
        assertThat(p.valid()).isFalse();
        assertThat(p.burstRatio()).isEqualTo(10.0);
        assertThat(p.verdict()).startsWith("INVALID").contains("bursts");
    }

    @Test
    void aRateBelowTheOfferedOneIsInvalid() {
        Pacing p = Pacing.check(even(2000, 1100, 200), 1000, 0);
        assertThat(p.valid()).isFalse();
        assertThat(p.problems()).anySatisfy(m -> assertThat(m).contains("started 909 req/s of 1000 offered"));
    }

    @Test
    void onTimeRequestsKeepTheirOwnLatency() {
        List<LoggedRequest> run = even(1000, 1000, 250);
        IntendedStart.Corrected c = IntendedStart.correct(run, 1000, 100);
        assertThat(c.latencyMicros()).containsOnly(250);
        assertThat(c.lateShare()).isZero();
    }

    @Test
    void requestsHeldBackByABusyConnectionAreTimedFromTheirSlots() {
        // One connection of 100 (period 100 ms): its request at 500 ms takes 320 ms. Its ticks at 600, 700 and 800 ms
        // come while it waits; h2load sends each waiting request as the one before ends, and times it from then.
        List<LoggedRequest> run = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            if (i % 100 != 0 || i < 500 || i > 800) {
                run.add(new LoggedRequest(T0 + i * 1000L + 37, 200, 250)); // the other connections, on time
            }
        }
        long t = T0 + 500_000;
        run.add(new LoggedRequest(t, 200, 320_000)); // slot 500 ms, ends at 820 ms
        run.add(new LoggedRequest(t + 320_005, 200, 40_000)); // slot 600 ms, sent at 820, ends at 860
        run.add(new LoggedRequest(t + 360_008, 200, 250)); // slot 700 ms, sent at 860
        run.add(new LoggedRequest(t + 360_258 + 3, 200, 250)); // slot 800 ms, sent at 860.26
        run.add(new LoggedRequest(T0 + 900_000, 200, 250)); // slot 900 ms: on its own tick again
        run.sort(Comparator.comparingLong(LoggedRequest::startMicros));
        IntendedStart.Corrected c = IntendedStart.correct(run, 1000, 100);
        java.util.Map<Long, Long> byStart = new java.util.HashMap<>();
        for (int i = 0; i < run.size(); i++) {
            byStart.put(run.get(i).startMicros() - T0, c.latencyMicros()[i]);
        }
        assertThat(byStart.get(500_000L)).isEqualTo(320_000);
        assertThat(byStart.get(820_005L)).as("from its 600 ms slot").isEqualTo(860_005 - 600_000);
        assertThat(byStart.get(860_008L)).as("from its 700 ms slot").isEqualTo(860_258 - 700_000);
        assertThat(byStart.get(860_261L)).as("from its 800 ms slot").isEqualTo(860_511 - 800_000);
        assertThat(byStart.get(900_000L)).isEqualTo(250);
        assertThat(byStart.get(501_037L)).as("another connection, on time").isEqualTo(250);
        assertThat(c.lateShare()).isEqualTo(3.0 / run.size());
    }

    @Test
    void coldStartPerSecondAndTimeToSteady() {
        List<LoggedRequest> run = new ArrayList<>();
        for (int i = 0; i < 6000; i++) {
            int second = i / 1000;
            long latency = second == 0 ? 50_000 : second == 1 ? 5_000 : 500; // slow, slower than warm, warm
            int status = i == 10 ? -1 : 200;
            run.add(new LoggedRequest(T0 + i * 1000L, status, latency));
        }
        long[] corrected = IntendedStart.correct(run, 1000, 100).latencyMicros();
        ColdStart c = ColdStart.of(run, corrected, Pacing.check(run, 1000, 0));
        assertThat(c.seconds()).hasSize(6);
        assertThat(c.seconds().get(0).failed()).isEqualTo(1);
        assertThat(c.seconds().get(0).p99Millis()).isEqualTo(50.0);
        assertThat(c.firstRequestMillis()).isEqualTo(50.0);
        assertThat(c.first10sFailed()).isEqualTo(1);
        assertThat(c.referenceP99Millis()).isEqualTo(0.5);
        assertThat(c.steadyAfterSeconds(0.5)).isEqualTo(2.0);
        assertThat(c.steadyAfterSeconds(3.0)).as("5 ms is within 2× a 3 ms warm p99").isEqualTo(1.0);
        assertThat(c.steadyAfterSeconds(0.1)).isNaN();
    }

    private static WarmUp.Round round(double p50, long jit) {
        return new WarmUp.Round(0, p50, p50 * 3, jit, true);
    }

    @Test
    void warmOnlyWhenThreeRoundsAgreeWithoutTrendAndTheJitIsQuiet() {
        assertThat(WarmUp.notWarmBecause(List.of(round(1.0, 0), round(1.0, 0)))).hasValueSatisfying(m -> assertThat(m).contains("fewer than"));
        assertThat(WarmUp.notWarmBecause(List.of(round(2.0, 900), round(1.00, 3), round(1.02, 1), round(0.99, 0)))).isEmpty();
        assertThat(WarmUp.notWarmBecause(List.of(round(1.0, 0), round(1.1, 0), round(1.0, 0))))
                .hasValueSatisfying(m -> assertThat(m).contains("±3 %"));
        assertThat(WarmUp.notWarmBecause(List.of(round(1.02, 0), round(1.0, 0), round(0.98, 0))))
                .as("within ±3 % but still falling").hasValueSatisfying(m -> assertThat(m).contains("still falling"));
        assertThat(WarmUp.notWarmBecause(List.of(round(1.0, 0), round(1.0, 0), round(1.0, 40))))
                .hasValueSatisfying(m -> assertThat(m).contains("compiled 40 methods"));
        assertThat(WarmUp.notWarmBecause(List.of(round(1.0, -1), round(1.0, -1), round(1.0, -1)))).as("no JVM").isEqualTo(Optional.empty());
        List<WarmUp.Round> unpaced = List.of(round(1.0, 0), round(1.0, 0), new WarmUp.Round(0, 1.0, 3, 0, false));
        assertThat(WarmUp.notWarmBecause(unpaced)).hasValueSatisfying(m -> assertThat(m).contains("not paced"));
    }
}
