package dev.aimesh.bench.sidebyside;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark reads other programs' output; these are samples of what they print. */
class ToolOutputTest {
    private static final String H2LOAD = """
            starting benchmark...
            spawning thread #0: 100 total client(s). Timing-based test with 0s of warm-up time and 6s of main duration for measurements.
            finished in 6.00s, 999.83 req/s, 1.13MB/s
            requests: 5999 total, 6099 started, 5999 done, 5990 succeeded, 9 failed, 9 errored, 0 timeout
            status codes: 5988 2xx, 0 3xx, 2 4xx, 0 5xx
            traffic: 6.77MB (7102385) total, 456.28KB (467232) headers (space savings 0.00%), 5.86MB (6142976) data
            """;

    @Test
    void h2loadSummaryAndPerRequestLog() {
        // Out of order, as h2load writes them (by end of response); one a millisecond, as paced at 1000/s.
        H2load.OpenLoop run = H2load.parseOpenLoop(H2LOAD, List.of("1764613000001000\t200\t1250", "1764613000000000\t200\t850",
                "1764613000002000\t503\t99", "1764613000003000\t200\t950", "not a log line"), 1000, 100);
        LoadResult r = run.result();
        assertThat(r.succeeded()).isEqualTo(5988);
        assertThat(r.failed()).as("errors and non-2xx answers").isEqualTo(11);
        assertThat(r.requestsPerSecond()).isEqualTo(999.83);
        assertThat(r.percentileMillis(50)).as("only 2xx latencies count").isEqualTo(0.95);
        assertThat(r.percentileMillis(99.9)).isEqualTo(1.25);
        assertThat(r.percentileMillis(0)).isEqualTo(0.85);
        assertThat(run.requests()).extracting(LoggedRequest::startMicros).isSorted().hasSize(4);
        assertThat(r.pacing().achievedRps()).isEqualTo(1000.0);
    }

    @Test
    void h2loadOutputWithoutASummaryIsAClearError() {
        assertThatThrownBy(() -> H2load.parseSummary("connect error: Connection refused\n", new long[0], null))
                .hasMessageContaining("h2load printed no line like");
    }

    @Test
    void h2loadIsPacedByStartingOneConnectionPerSlot() {
        assertThat(H2load.pacingArgs(100, 1000, java.time.Duration.ofSeconds(20))).containsExactly("-c", "100", "-m", "1", "--rps", "10",
                "-r", "1", "--rate-period", "1ms", "-n", "20000");
        assertThat(H2load.pacingArgs(100, 2000, java.time.Duration.ofSeconds(5))).contains("-r", "2", "--rate-period", "1ms", "-n", "10000");
        assertThatThrownBy(() -> H2load.pacingArgs(100, 1050, java.time.Duration.ofSeconds(5))).hasMessageContaining("multiple of the connections");
        assertThatThrownBy(() -> H2load.pacingArgs(100, 1500, java.time.Duration.ofSeconds(5))).hasMessageContaining("must divide 1000");
    }

    @Test
    void wrkRate() {
        assertThat(Wrk.parse("Running 4s test @ http://127.0.0.1:1/1k\n  1 threads and 32 connections\nRequests/sec:  12345.67\n"))
                .isEqualTo(12345.67);
        assertThatThrownBy(() -> Wrk.parse("unable to connect")).hasMessageContaining("Requests/sec");
    }

    @Test
    void stealTimeFromProcStat() {
        Machine.CpuTimes before = Machine.parseCpuTimes("cpu  100 0 50 800 10 0 5 35 0 0");
        Machine.CpuTimes after = Machine.parseCpuTimes("cpu  200 0 100 1600 20 0 10 70 0 0");
        assertThat(after.stealShareSince(before)).isEqualTo(35 / 1000.0);
    }

    @Test
    void opensslSTimeCountsHandshakesInRealSeconds() {
        HandshakeLoad.Result r = HandshakeLoad.parse("""
                Collecting connection statistics for 4 seconds
                tttttttttttttttttttt

                2712 connections in 2.34s; 1158.97 connections/user sec, bytes read 0
                2712 connections in 5 real seconds, 0 bytes read per connection
                """);
        assertThat(r.handshakes()).isEqualTo(2712);
        assertThat(r.seconds()).as("wall time, not the client's CPU time").isEqualTo(5.0);
    }

    @Test
    void procStatAndStatus() {
        // A command name with spaces and parentheses must not shift the fields.
        String stat = "4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 1000 0 0 0 1234 567 0 0 20 0 3 0 100 8000000 2000 "
                + "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
        assertThat(ProcessTree.parseCpuTicks(stat)).isEqualTo(1234 + 567);
        assertThat(ProcessTree.parseRssKiB("Name:\tjava\nVmPeak:\t  900 kB\nVmRSS:\t   43512 kB\nThreads:\t20\n")).isEqualTo(43512);
        assertThat(ProcessTree.parseRssKiB("Name:\tzombie\n")).isZero();
        String rollup = "55d0-7ffc ---p 00000000 00:00 0  [rollup]\nRss:   1756 kB\nPss:   229 kB\nPss_Anon:  112 kB\nAnonymous:  112 kB\n";
        assertThat(ProcessTree.field(rollup, "Pss:")).as("not Pss_Anon").isEqualTo(229);
        assertThat(ProcessTree.field(rollup, "Anonymous:")).isEqualTo(112);
    }

    @Test
    void samplesGiveCoresUsed() {
        var earlier = new ProcessTree.Sample(0, 100, 0, 0, 0);
        var later = new ProcessTree.Sample(2_000_000_000L, 150, 0, 0, 0);
        assertThat(later.cpuSecondsSince(earlier)).isEqualTo(0.5);
        assertThat(later.coresSince(earlier)).isEqualTo(0.25);
    }

    @Test
    void spreadIsTheMedianWithTheRange() {
        assertThat(Spread.of(List.of(3.0, 1.0, 2.0))).isEqualTo(new Spread(2.0, 1.0, 3.0));
        assertThat(Spread.of(List.of(4.0, 1.0, 2.0, 3.0)).median()).isEqualTo(2.5);
        assertThat(Spread.of(List.of(1.5, 2.25)).format("%.2f")).isEqualTo("1.88 (1.50–2.25)");
        assertThat(Spread.of(List.of()).format("%.2f")).isEqualTo("–");
    }

    @Test
    void pooledShareIsRequestsThatOpenedNoConnection() {
        var counts = new SystemUnderTest.ReuseCounts(11, 10_010).minus(new SystemUnderTest.ReuseCounts(1, 10));
        assertThat(counts.pooledShare()).isEqualTo(0.999);
        assertThat(new SystemUnderTest.ReuseCounts(0, 0).pooledShare()).isNaN();
    }
}
