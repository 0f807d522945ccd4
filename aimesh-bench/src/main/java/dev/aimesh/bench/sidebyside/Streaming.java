package dev.aimesh.bench.sidebyside;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The streaming scenario: {@link SseClient} opens {@code streams} concurrent SSE responses through the system (the
 * same {@link SseUpstream} behind every one, through the upstream nginx unbuffered), and the proxies' memory is read
 * before and while every stream is open.
 */
final class Streaming {
    private static final Pattern STREAMS = Pattern.compile("streams ok=(\\d+) failed=(\\d+)");
    private static final Pattern TTFB = Pattern.compile("ttfb-us (-?\\d+) (-?\\d+) (-?\\d+) (-?\\d+)");
    private static final Pattern CHUNKS = Pattern.compile("chunk-delay-us (-?\\d+) (-?\\d+) (-?\\d+) (-?\\d+) (-?\\d+)");

    private Streaming() {}

    /**
     * One run. {@code ttfbMicros}: p50, p90, p99, max of the time to first event; {@code chunkDelayMicros}: p50, p90,
     * p99, p99.9, max of each event's delay from the upstream's write to the client's read; memory per proxy idle and
     * with every stream open.
     */
    record Result(int ok, int failed, long[] ttfbMicros, long[] chunkDelayMicros, List<ProcessTree.Sample> idle,
            List<ProcessTree.Sample> open, String errors) {
        /** PSS added per open stream at proxy {@code p}, in KiB. */
        double pssPerStreamKiB(int p) {
            return ok == 0 ? Double.NaN : (open.get(p).pssKiB() - idle.get(p).pssKiB()) / (double) ok;
        }

        double rssPerStreamKiB(int p) {
            return ok == 0 ? Double.NaN : (open.get(p).rssKiB() - idle.get(p).rssKiB()) / (double) ok;
        }
    }

    /** {@code rounds} rounds in one client process; the first warms up the client and the path and is not returned. */
    /**
     * {@code diagnostics} gets what the proxies' JVMs say of their memory with the streams of the first (unreported)
     * round open, so that the heap walk's pause falls outside the measured rounds.
     */
    static List<Result> run(Workspace ws, SystemUnderTest sut, BenchSettings s, int rounds, List<java.nio.file.Path> diagnostics) {
        H2load.Target target = sut.target(Protocol.H1, "/");
        String hostPort = target.url().replaceFirst("^http://", "").replaceFirst("/.*$", "");
        String authority = target.host().orElse(hostPort);
        List<String> cmd = new ArrayList<>(List.of(Jvm.java(), "-XX:+UseSerialGC", "-Xmx256m", "-cp", Jvm.classPath(),
                SseClient.class.getName(), hostPort, authority, Integer.toString(s.streams()), Long.toString(s.streamMinBytes()),
                Long.toString(s.streamMaxBytes()), Integer.toString(s.streamChunks()), Integer.toString(s.streamIntervalMillis()),
                Integer.toString(rounds)));
        Duration longest = Duration.ofMillis((long) s.streamChunks() * s.streamIntervalMillis());
        List<Result> results = new ArrayList<>();
        try (Launched client = Launched.start("sse client", ws.loadCpus(), cmd, Map.of(),
                ws.dir().resolve("sse-client-" + sut.name().replace(' ', '-') + ".log"))) {
            List<ProcessTree.Sample> idle = samples(sut);
            for (int round = 1; round <= rounds; round++) {
                SideBySide.progress("  " + sut.name() + ": streaming, " + s.streams() + " SSE responses, "
                        + (round == 1 ? "warm-up round" : "run " + (round - 1) + "/" + (rounds - 1)));
                client.awaitOutput(Pattern.compile("open " + round + " (\\d+)"), longest.plusSeconds(60));
                // Every stream has had its first event and lasts the whole schedule: read the memory a third of the way in.
                sleep(longest.dividedBy(3));
                List<ProcessTree.Sample> open = samples(sut);
                if (round == 1 && !sut.jitLogs().isEmpty()) {
                    diagnostics.addAll(JvmDiagnostics.capture(ws, sut, "streaming", true));
                }
                Matcher chunks = client.awaitOutput(Pattern.compile(round + " " + CHUNKS.pattern()), longest.plusSeconds(60));
                String out = client.output();
                Matcher streams = find(Pattern.compile(round + " " + STREAMS.pattern()), out);
                Matcher ttfb = find(Pattern.compile(round + " " + TTFB.pattern()), out);
                String prefix = round + " error ";
                Result r = new Result(Integer.parseInt(streams.group(1)), Integer.parseInt(streams.group(2)), longs(ttfb, 4), longs(chunks, 5),
                        idle, open, String.join("; ", out.lines().filter(l -> l.startsWith(prefix)).toList()));
                if (r.failed() > 0) {
                    SideBySide.progress("  " + sut.name() + " streaming: " + r.failed() + " streams failed: " + r.errors());
                }
                if (round > 1) {
                    results.add(r);
                }
            }
        }
        return results;
    }

    private static List<ProcessTree.Sample> samples(SystemUnderTest sut) {
        return sut.proxies().stream().map(p -> ProcessTree.sample(p.pid())).toList();
    }

    private static long[] longs(Matcher m, int n) {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = Long.parseLong(m.group(i + 1));
        }
        return v;
    }

    private static Matcher find(Pattern p, String text) {
        Matcher m = p.matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("the SSE client printed no line like /" + p + "/: " + text);
        }
        return m;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
