package dev.aimesh.bench.sidebyside;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Drives nghttp2's {@code h2load}, pinned to the load generator's CPU: a paced open loop for latency (per-request
 * times from {@code --log-file}), closed loop for saturation throughput.
 *
 * <p>Pacing: each of the {@code clients} connections sends {@code rate / clients} requests per second
 * ({@code --rps}, one in flight), and the connections are started one every {@code 1 / rate} seconds
 * ({@code -r 1 --rate-period}) so that their timers are out of phase and the requests arrive evenly, one every
 * {@code 1 / rate}. h2load's rate mode cannot be combined with {@code -D}: the run is {@code -n rate × seconds}
 * requests, {@code rate / clients × seconds} per connection.
 */
public final class H2load {
    private static final Pattern REQUESTS = Pattern.compile("requests: \\d+ total, \\d+ started, \\d+ done, (\\d+) succeeded, (\\d+) failed");
    private static final Pattern RATE = Pattern.compile("finished in [0-9.]+m?s, ([0-9.]+) req/s");
    private static final Pattern STATUS = Pattern.compile("status codes: (\\d+) 2xx, (\\d+) 3xx, (\\d+) 4xx, (\\d+) 5xx");

    private final String cpus;
    private final Path workDir;

    public H2load(String cpus, Path workDir) {
        this.cpus = cpus;
        this.workDir = workDir;
    }

    /** A paced open-loop run: what the report shows, and for a cold start every request in start order. */
    public record OpenLoop(LoadResult result, List<LoggedRequest> requests, long[] correctedMicros) {}

    /** Paced open loop: {@code rate} requests per second in all over {@code clients} connections. */
    public OpenLoop openLoop(Target target, Protocol protocol, int clients, int rate, Duration duration) {
        List<String> args = base(target, protocol);
        args.addAll(pacingArgs(clients, rate, duration));
        Path log = workDir.resolve("h2load-" + System.nanoTime() + ".log");
        args.add("--log-file=" + log);
        args.add(target.url());
        // A system slower than the offered rate stretches the run: each connection still sends all its requests.
        String out = Launched.run(args, duration.multipliedBy(3).plusSeconds(60));
        try {
            return parseOpenLoop(out, Files.readAllLines(log), rate, clients);
        } catch (IOException e) {
            throw new UncheckedIOException("h2load wrote no log file " + log, e);
        } finally {
            try {
                Files.deleteIfExists(log); // h2load appends to an existing log
            } catch (IOException ignored) {
                // a leftover log in the work directory harms nothing
            }
        }
    }

    /** The h2load options that spread {@code rate} requests per second evenly over {@code clients} connections. */
    static List<String> pacingArgs(int clients, int rate, Duration duration) {
        if (rate % clients != 0) {
            throw new IllegalArgumentException("the rate (" + rate + "/s) must be a multiple of the connections (" + clients + ")");
        }
        // One connection per rate period, rate periods of 1/rate s: h2load's periods are whole milliseconds.
        String connectionsPerPeriod;
        String period;
        if (1000 % rate == 0) {
            connectionsPerPeriod = "1";
            period = (1000 / rate) + "ms";
        } else if (rate % 1000 == 0) {
            connectionsPerPeriod = Integer.toString(rate / 1000);
            period = "1ms";
        } else {
            throw new IllegalArgumentException("the rate (" + rate + "/s) must divide 1000 or be a multiple of it (h2load paces in ms)");
        }
        long requests = rate * Math.max(1, duration.toSeconds());
        return List.of("-c", Integer.toString(clients), "-m", "1", "--rps", Integer.toString(rate / clients), "-r", connectionsPerPeriod,
                "--rate-period", period, "-n", Long.toString(requests));
    }

    /** Closed loop: as fast as the system answers, {@code streams} requests in flight per connection. */
    public LoadResult closedLoop(Target target, Protocol protocol, int clients, int streams, Duration duration) {
        List<String> args = base(target, protocol);
        args.addAll(List.of("-D", duration.toSeconds() + "s", "-c", Integer.toString(clients), "-m", Integer.toString(streams)));
        args.add(target.url());
        return parseSummary(Launched.run(args, duration.plusSeconds(60)), new long[0], null);
    }

    private List<String> base(Target target, Protocol protocol) {
        List<String> args = new ArrayList<>(List.of("taskset", "-c", cpus, "h2load", "-t", "1"));
        if (protocol == Protocol.H1) {
            args.add("--h1");
        }
        // ":authority" replaces the Host header in HTTP/1.1 too; "host" would add a second one.
        target.host().ifPresent(host -> args.addAll(List.of("-H", ":authority: " + host)));
        return args;
    }

    static OpenLoop parseOpenLoop(String summary, List<String> logLines, int rate, int clients) {
        List<LoggedRequest> sorted = logLines.stream().map(LoggedRequest::parse).filter(Objects::nonNull)
                .sorted(Comparator.comparingLong(LoggedRequest::startMicros)).toList();
        IntendedStart.Corrected corrected = IntendedStart.correct(sorted, rate, clients);
        Pacing pacing = Pacing.check(sorted, rate, corrected.lateShare());
        long[] ok = new long[sorted.size()];
        int n = 0;
        for (int i = 0; i < sorted.size(); i++) {
            if (sorted.get(i).ok()) {
                ok[n++] = corrected.latencyMicros()[i];
            }
        }
        return new OpenLoop(parseSummary(summary, java.util.Arrays.copyOf(ok, n), pacing), sorted, corrected.latencyMicros());
    }

    /** Reads h2load's summary; a request that is not 2xx counts as failed. */
    static LoadResult parseSummary(String summary, long[] latencies, Pacing pacing) {
        Matcher requests = find(REQUESTS, summary);
        Matcher rate = find(RATE, summary);
        Matcher status = find(STATUS, summary);
        long ok = Long.parseLong(status.group(1));
        // A run cut off by -D can count more 2xx answers than it counts requests done: never below zero.
        long failed = Math.max(0, Long.parseLong(requests.group(2)) + Long.parseLong(requests.group(1)) - ok);
        return new LoadResult(ok, failed, Double.parseDouble(rate.group(1)), latencies, pacing);
    }

    private static Matcher find(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("h2load printed no line like /" + pattern + "/:\n" + text);
        }
        return m;
    }

    /** Where to send requests: the URL of the first hop and, for a mesh, the Host that names the destination. */
    public record Target(String url, java.util.Optional<String> host) {}
}
