package dev.aimesh.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A steady, bounded load from h2load (nghttp2's load generator, a client nobody here wrote) through a
 * caller's outbound proxy, on HTTP/1.1 ({@code --h1}) or HTTP/2 (h2c prior knowledge): a fixed number of
 * clients, each at a fixed rate, for a fixed time. Every request's status and latency is in its log file.
 */
public final class FaultLoad {
    private static final Pattern REQUESTS = Pattern.compile(
            "requests: (\\d+) total, (\\d+) started, (\\d+) done, (\\d+) succeeded, (\\d+) failed, (\\d+) errored, (\\d+) timeout");
    private static final Pattern STATUS = Pattern.compile("status codes: (\\d+) 2xx, (\\d+) 3xx, (\\d+) 4xx, (\\d+) 5xx");

    /** What h2load counted, and each request's latency in microseconds. */
    public record Outcome(String protocol, long total, long started, long done, long succeeded, long failed, long errored, long timeout,
            long s2xx, long s4xx, long s5xx, long[] latenciesMicros, String output) {
        public long p99Micros() {
            return percentile(0.99);
        }

        public long percentile(double q) {
            if (latenciesMicros.length == 0) {
                return 0;
            }
            long[] sorted = latenciesMicros.clone();
            Arrays.sort(sorted);
            return sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
        }

        /** Zero failed requests: every one started was answered 2xx; none errored, timed out or got 4xx/5xx. */
        public void assertNoFailure() {
            assertThat(total).as("requests\n" + output).isGreaterThan(0);
            assertThat(failed + errored + timeout).as(protocol + ": failed + errored + timeout\n" + output).isZero();
            assertThat(s4xx + s5xx).as(protocol + ": 4xx + 5xx\n" + output).isZero();
            assertThat(done).as(protocol + ": done of total (nothing lost)\n" + output).isEqualTo(total);
            assertThat(s2xx).as(protocol + ": 2xx of total\n" + output).isEqualTo(total);
            // h2load stops at its deadline with at most one request in flight per client: started, never done.
            assertThat(started - done).as(protocol + ": cut off by h2load's own deadline\n" + output).isBetween(0L, 16L);
        }

        @Override
        public String toString() {
            return protocol + ": " + done + " done, " + s2xx + " 2xx, p99 " + p99Micros() / 1000.0 + " ms";
        }
    }

    private final String protocol;
    private final Process process;
    private final Path out;
    private final Path log;

    private FaultLoad(String protocol, Process process, Path out, Path log) {
        this.protocol = protocol;
        this.process = process;
        this.out = out;
        this.log = log;
    }

    /**
     * Starts {@code clients} connections, each sending {@code rate} requests a second, for {@code seconds}.
     * {@code protocol} is "http1.1" or "h2".
     */
    public static FaultLoad start(Path dir, String protocol, String url, int clients, int rate, int seconds) throws IOException {
        String name = "h2load-" + protocol + "-" + System.nanoTime();
        Path out = dir.resolve(name + ".out");
        Path log = dir.resolve(name + ".log");
        List<String> command = new ArrayList<>(List.of("h2load", "-c", Integer.toString(clients), "-m", "1",
                "--rps", Integer.toString(rate), "-D", Integer.toString(seconds), "-N", "30",
                "-H", ":authority: " + FaultMesh.MODEL, "--log-file", log.toString()));
        if (protocol.equals("http1.1")) {
            command.add("--h1");
        }
        command.add(url);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        return new FaultLoad(protocol, process, out, log);
    }

    public Outcome await() throws InterruptedException {
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly(); // an outcome that fails assertNoFailure, so the test's other figures still show
            return new Outcome(protocol, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, new long[0],
                    "h2load did not finish within 120 s: " + read(out));
        }
        try {
            String output = Files.readString(out);
            Matcher requests = REQUESTS.matcher(output);
            Matcher status = STATUS.matcher(output);
            assertThat(requests.find() && status.find()).as(output).isTrue();
            long[] latencies = Files.exists(log) ? Files.readAllLines(log).stream().map(l -> l.split("\t"))
                    .filter(f -> f.length >= 3).mapToLong(f -> Long.parseLong(f[2].strip())).toArray() : new long[0];
            return new Outcome(protocol, n(requests, 1), n(requests, 2), n(requests, 3), n(requests, 4), n(requests, 5), n(requests, 6),
                    n(requests, 7), n(status, 1), n(status, 3), n(status, 4), latencies, output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static long n(Matcher m, int group) {
        return Long.parseLong(m.group(group));
    }
}
