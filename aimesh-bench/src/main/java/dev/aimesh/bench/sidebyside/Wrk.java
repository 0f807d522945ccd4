package dev.aimesh.bench.sidebyside;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Debian's {@code wrk} (closed loop, HTTP/1.1), pinned beside h2load: a second opinion on saturation throughput. */
final class Wrk {
    private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");

    private Wrk() {}

    static double requestsPerSecond(String cpus, H2load.Target target, int connections, Duration duration) {
        List<String> cmd = new ArrayList<>(List.of("taskset", "-c", cpus, "wrk", "-t1", "-c" + connections, "-d" + duration.toSeconds() + "s"));
        target.host().ifPresent(h -> cmd.addAll(List.of("-H", "Host: " + h)));
        cmd.add(target.url());
        return parse(Launched.run(cmd, duration.plusSeconds(60)));
    }

    static double parse(String out) {
        Matcher m = RATE.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("wrk printed no Requests/sec line:\n" + out);
        }
        return Double.parseDouble(m.group(1));
    }
}
