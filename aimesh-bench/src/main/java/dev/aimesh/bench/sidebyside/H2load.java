package dev.aimesh.bench.sidebyside;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Drives nghttp2's {@code h2load}, pinned to the load generator's CPU: open loop at a fixed rate for
 * latency (per-request times from {@code --log-file}), closed loop for saturation throughput.
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

    /** Open loop: {@code clients} connections, each sending {@code rpsPerClient} requests per second. */
    public LoadResult openLoop(Target target, Protocol protocol, int clients, int rpsPerClient, Duration duration) {
        List<String> args = base(target, protocol, duration);
        args.addAll(List.of("-c", Integer.toString(clients), "-m", "1", "--rps", Integer.toString(rpsPerClient)));
        return run(target, args, true, duration);
    }

    /** Closed loop: as fast as the system answers, {@code streams} requests in flight per connection. */
    public LoadResult closedLoop(Target target, Protocol protocol, int clients, int streams, Duration duration) {
        List<String> args = base(target, protocol, duration);
        args.addAll(List.of("-c", Integer.toString(clients), "-m", Integer.toString(streams)));
        return run(target, args, false, duration);
    }

    private List<String> base(Target target, Protocol protocol, Duration duration) {
        List<String> args = new ArrayList<>(List.of("taskset", "-c", cpus, "h2load", "-t", "1",
                "-D", duration.toSeconds() + "s"));
        if (protocol == Protocol.H1) {
            args.add("--h1");
        }
        // ":authority" replaces the Host header in HTTP/1.1 too; "host" would add a second one.
        target.host().ifPresent(host -> args.addAll(List.of("-H", ":authority: " + host)));
        return args;
    }

    private LoadResult run(Target target, List<String> args, boolean perRequest, Duration duration) {
        Path log = workDir.resolve("h2load-" + System.nanoTime() + ".log");
        if (perRequest) {
            args.add("--log-file=" + log);
        }
        args.add(target.url());
        String out = Launched.run(args, duration.plusSeconds(60));
        try {
            return parse(out, perRequest ? Files.readAllLines(log) : List.of());
        } catch (IOException e) {
            throw new UncheckedIOException("h2load wrote no log file " + log, e);
        } finally {
            try {
                Files.deleteIfExists(log);
            } catch (IOException ignored) {
                // a leftover log in the work directory harms nothing
            }
        }
    }

    /** Reads h2load's summary; a request that is not 2xx counts as failed. */
    static LoadResult parse(String summary, List<String> logLines) {
        Matcher requests = find(REQUESTS, summary);
        Matcher rate = find(RATE, summary);
        Matcher status = find(STATUS, summary);
        long ok = Long.parseLong(status.group(1));
        // A run cut off by -D can count more 2xx answers than it counts requests done: never below zero.
        long failed = Math.max(0, Long.parseLong(requests.group(2)) + Long.parseLong(requests.group(1)) - ok);
        long[] latencies = new long[logLines.size()];
        int n = 0;
        for (String line : logLines) {
            String[] cols = line.split("\t");
            if (cols.length >= 3 && cols[1].startsWith("2")) {
                latencies[n++] = Long.parseLong(cols[2].trim());
            }
        }
        return new LoadResult(ok, failed, Double.parseDouble(rate.group(1)), java.util.Arrays.copyOf(latencies, n));
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
