package dev.aimesh.bench.sidebyside;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the report judges: a target only for a valid run of warm systems, "not warm" or INVALID otherwise. */
class ReportTest {
    private static final Pacing PACED = new Pacing(1000, 1000, 1.1, 0, List.of());
    private static final ProcessTree.Sample MEMORY = new ProcessTree.Sample(0, 0, 40 * 1024, 30 * 1024, 20 * 1024);

    private static Results.LatencyRun run(long p50Micros, Pacing pacing) {
        long[] latencies = new long[1000];
        for (int i = 0; i < latencies.length; i++) {
            latencies[i] = i < 990 ? p50Micros : p50Micros * 4;
        }
        return new Results.LatencyRun(new LoadResult(1000, 0, 1000, latencies, pacing), List.of(0.05, 0.05), List.of(MEMORY, MEMORY),
                Optional.of(new SystemUnderTest.ReuseCounts(0, 1000)));
    }

    private static Results results(long directP50, Pacing directPacing) {
        Results r = new Results();
        r.add("direct", "latency-h1-1k", run(directP50, directPacing));
        r.add("aimesh", "latency-h1-1k", run(500, PACED));
        r.add("nginx", "latency-h1-1k", run(900, PACED));
        r.add("haproxy", "latency-h1-1k", run(700, PACED));
        r.add(Results.DIRECT_AFTER, "latency-h1-1k", run(directP50, PACED));
        r.stealShare = 0;
        for (String s : List.of("direct", "aimesh", "nginx", "haproxy")) {
            r.warmUps.put(s, new WarmUp(List.of(new WarmUp.Round(10, 0.5, 2, 0, true)), Duration.ofSeconds(30), true, "warm"));
        }
        return r;
    }

    private static String markdown(Results r, BenchSettings settings) {
        return new Report(r, settings, Map.of("CPU", "test"), Duration.ofSeconds(1), "chart.png", null, null, null, "").markdown();
    }

    private static String p1p50(String md) {
        return md.lines().filter(l -> l.startsWith("| P1 | added p50")).findFirst().orElseThrow();
    }

    @Test
    void aValidRunOfWarmSystemsJudgesTheTargets() {
        String md = markdown(results(200, PACED), BenchSettings.full());
        assertThat(md).doesNotContain("INVALID run").contains("Direct path p50 (HTTP/1.1, 1 KB, paced): before 0.200 ms, after 0.200 ms");
        // added p50: aimesh 0.3 ms, haproxy (the better peer) 0.5 ms
        assertThat(p1p50(md)).contains("0.300 ms").contains("haproxy 0.500 ms").contains("0.60×").endsWith("| **yes** |");
    }

    @Test
    void aSystemThatNeverWarmedUpIsNotJudged() {
        Results r = results(200, PACED);
        r.warmUps.put("aimesh", new WarmUp(List.of(new WarmUp.Round(10, 0.5, 2, 40, true)), Duration.ofSeconds(300), false,
                "not warm: the JIT compiled 40 methods in the last round"));
        String md = markdown(r, BenchSettings.full());
        assertThat(p1p50(md)).endsWith("| not warm |");
        assertThat(md).contains("**not warm: the JIT compiled 40 methods in the last round**");
    }

    @Test
    void aQuickRunJudgesNothing() {
        String md = markdown(results(200, PACED), BenchSettings.quick());
        assertThat(md).contains("**not warm** — a quick run");
        assertThat(p1p50(md)).endsWith("| not warm |");
    }

    @Test
    void anUnpacedOrSlowDirectPathMakesTheRunInvalid() {
        Pacing bursts = new Pacing(1000, 1000, 10, 0, List.of("bursts: p99 of starts per 10 ms is 10.0× the even share"));
        String md = markdown(results(200, bursts), BenchSettings.full());
        assertThat(md).startsWith("# Side-by-side").contains("**INVALID run**").contains("direct latency-h1-1k: INVALID: bursts");
        assertThat(p1p50(md)).endsWith("| INVALID |");
        String slow = markdown(results(2500, PACED), BenchSettings.full());
        assertThat(slow).contains("p50 2.500 ms, above the 1.0 ms a loopback round trip may take");
    }
}
