package dev.aimesh.bench.sidebyside;

import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/** The markdown report: one table per scenario, each aimesh figure beside the peers' from the same run, and the targets. */
final class Report {
    private static final List<String> PEERS = List.of("nginx", "haproxy");
    private static final double[] PERCENTILES = {50, 90, 99, 99.9};

    private final Results r;
    private final BenchSettings settings;
    private final Map<String, String> machine;
    private final Duration took;
    private final String chart;
    private final StringBuilder md = new StringBuilder();

    Report(Results results, BenchSettings settings, Map<String, String> machine, Duration took, String chart) {
        this.r = results;
        this.settings = settings;
        this.machine = machine;
        this.took = took;
        this.chart = chart;
    }

    String markdown() {
        md.append("# Side-by-side proxy benchmark, ").append(LocalDate.now()).append(" (").append(settings.name()).append(" run)\n\n");
        md.append("Produced by `bench/run").append(settings.name().equals("quick") ? " --quick" : "").append("` in ")
                .append(took.toMinutes()).append(" min ").append(took.toSecondsPart()).append(" s. ");
        md.append("Topology: load generator (h2load) → proxy A (plain in; mTLS out, TLS 1.3, ECDSA P-256, keep-alive) → "
                + "proxy B (mTLS in, client certificate verified; plain out) → upstream (nginx `return 200`). "
                + "The load generator, the upstream and the aimesh control plane are pinned to CPU 0, both proxies of a pair to "
                + "CPU 1; each proxy runs one event-loop thread or worker. Every figure is the median over ")
                .append(settings.repeats()).append(" repetitions, with the range in parentheses; ratios compare medians of "
                        + "this run only.\n\n");
        md.append("![latency percentiles per system](").append(chart).append(")\n\n");
        machine();
        targets();
        latency();
        resources();
        saturation();
        handshakes();
        reuse();
        startup();
        jvmComparison();
        if (!r.systemNotes.isEmpty()) {
            md.append("## Problems met during the run\n\n");
            r.systemNotes.forEach((system, note) -> md.append("- **").append(system).append("**: ").append(note).append("\n"));
            md.append("\n");
        }
        md.append("""
                ## What the aimesh pair ran with

                mTLS between SPIFFE identities (TLS 1.3, client SVID verified against the trust bundle and trust domain,
                the server's SPIFFE ID pinned by A), x-forwarded-client-cert added by B, strict HTTP/1.1 framing checks and
                the request limits. Authorization, metrics, access logs and DLP are not built yet, so the protocol's
                "authz + metrics + access log" and "DLP on both bodies" variants cannot run; they join this benchmark with
                the issues that build them. The nginx pair's A does not check B's certificate name (nginx matches DNS and
                IP names only, and SVIDs carry a URI SAN); haproxy and aimesh verify the chain, and aimesh also pins the
                peer's SPIFFE ID.
                """);
        return md.toString();
    }

    private void machine() {
        md.append("## Machine and versions\n\n| | |\n|---|---|\n");
        machine.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v.replace("|", "/").replace("\n", " ")).append(" |\n"));
        md.append("| settings | warm-up ").append(settings.warmUp().toSeconds()).append("–").append(settings.maxWarmUp().toSeconds())
                .append(" s (until the rate is steady), open loop ")
                .append(settings.measure().toSeconds()).append(" s at ").append(settings.rps()).append(" RPS over ")
                .append(settings.connections()).append(" connections, closed loop ").append(settings.saturation().toSeconds())
                .append(" s, handshakes ").append(settings.handshakes().toSeconds()).append(" s |\n");
        r.warmUps.forEach((system, w) -> md.append("| warm-up of ").append(system).append(" | ").append(w.took().toSeconds())
                .append(" s").append(w.steady() ? ", steady" : ", still climbing at the limit").append(" |\n"));
        md.append("\n");
    }

    // ---- targets

    private void targets() {
        md.append("## Targets\n\n| # | target | aimesh | best peer | ratio | met |\n|---|---|---|---|---|---|\n");
        String s = "latency-h1-1k";
        for (double q : new double[] {50, 99}) {
            double aimesh = added(s, "aimesh", q);
            Peer best = bestPeer(p -> added(s, p, q), true);
            row("P1", "added p" + fmtQ(q) + " at 1000 RPS, 1 KB, HTTP/1.1 (≤ 1.0× the better peer)", ms(aimesh), best.label(this::ms),
                    aimesh / best.value(), aimesh <= best.value());
        }
        for (int proxy = 0; proxy < 2; proxy++) {
            int p = proxy;
            double aimesh = cpuPer1000(s, "aimesh", p);
            double nginx = cpuPer1000(s, "nginx", p);
            row("P2", "CPU per 1000 RPS, proxy " + (p == 0 ? "A" : "B") + " (≤ 1.0× nginx)", cores(aimesh), "nginx " + cores(nginx),
                    aimesh / nginx, aimesh <= nginx);
        }
        for (String sat : List.of("saturation-h1-1k", "saturation-h2-1k")) {
            double aimesh = rps(sat, "aimesh");
            Peer best = bestPeer(p -> rps(sat, p), false);
            row(sat.contains("h2") ? "P3/P13" : "P3", "saturation throughput, " + (sat.contains("h2") ? "HTTP/2 × 100 streams" : "HTTP/1.1")
                    + " (≥ 1.0× every peer)", fmt(aimesh, "%.0f/s"), best.label(v -> fmt(v, "%.0f/s")), aimesh / best.value(),
                    aimesh >= best.value());
        }
        double rss = Math.max(rssMiB(s, "aimesh", 0), rssMiB(s, "aimesh", 1));
        row("P4", "RSS per proxy at 1000 RPS, 100 connections (≤ 50 MB)", fmt(rss, "%.1f MB"),
                "nginx " + fmt(Math.max(rssMiB(s, "nginx", 0), rssMiB(s, "nginx", 1)), "%.1f MB") + ", haproxy "
                        + fmt(Math.max(rssMiB(s, "haproxy", 0), rssMiB(s, "haproxy", 1)), "%.1f MB"), Double.NaN, rss <= 50);
        double hs = r.handshakes("aimesh", Results.HandshakeRun::perCpuSecond).median();
        double nginxHs = r.handshakes("nginx", Results.HandshakeRun::perCpuSecond).median();
        row("P5", "full mTLS handshakes per core, client certificate verified (≥ 1.0× nginx)", fmt(hs, "%.0f/s"),
                "nginx " + fmt(nginxHs, "%.0f/s"), hs / nginxHs, hs >= nginxHs);
        double pooled = pooled(s, "aimesh");
        row("P6", "requests on pooled connections between the proxies (≥ 99.9 %)", fmt(pooled * 100, "%.3f %%"),
                PEERS.stream().map(p -> p + " " + fmt(pooled(s, p) * 100, "%.3f %%")).reduce((a, b) -> a + ", " + b).orElse(""),
                Double.NaN, pooled >= 0.999);
        Spread startup = Spread.of(r.startups.getOrDefault("aimesh", List.of()).stream().map(d -> d.toNanos() / 1e6).toList());
        row("P14", "proxy start to ready (≤ 0.5 s)", startup.format("%.0f ms"), "–", Double.NaN, startup.median() <= 500);
        md.append("\n");
    }

    private record Peer(String name, double value) {
        String label(java.util.function.DoubleFunction<String> f) {
            return name + " " + f.apply(value);
        }
    }

    private Peer bestPeer(ToDoubleFunction<String> metric, boolean lowerIsBetter) {
        Peer best = null;
        for (String p : PEERS) {
            double v = metric.applyAsDouble(p);
            if (!Double.isNaN(v) && (best == null || (lowerIsBetter ? v < best.value : v > best.value))) {
                best = new Peer(p, v);
            }
        }
        return best == null ? new Peer("none", Double.NaN) : best;
    }

    private void row(String id, String what, String aimesh, String peer, double ratio, boolean met) {
        md.append("| ").append(id).append(" | ").append(what).append(" | ").append(aimesh).append(" | ").append(peer).append(" | ")
                .append(Double.isNaN(ratio) ? "–" : "%.2f×".formatted(ratio)).append(" | ")
                .append(aimesh.equals("–") ? "not measured" : met ? "**yes**" : "no").append(" |\n");
    }

    // ---- per-scenario tables

    private void latency() {
        for (Scenario s : Scenario.LATENCY) {
            md.append("## Latency: ").append(s.protocol().label()).append(", ").append(s.bodyLabel()).append(", ")
                    .append(settings.rps()).append(" RPS open loop over ").append(settings.connections()).append(" connections\n\n");
            md.append("| system | p50 ms | p90 ms | p99 ms | p99.9 ms | added p50 | added p99 | added p99.9 | ratio p50 | ratio p99 |"
                    + " req/s | failed |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
            for (String system : r.latency.getOrDefault(s.id(), Map.of()).keySet()) {
                md.append("| ").append(system);
                for (double q : PERCENTILES) {
                    md.append(" | ").append(r.latency(s.id(), system, run -> run.load().percentileMillis(q)).format("%.3f"));
                }
                for (double q : new double[] {50, 99, 99.9}) {
                    md.append(" | ").append(system.equals("direct") ? "–" : ms(added(s.id(), system, q)));
                }
                for (double q : new double[] {50, 99}) {
                    Peer best = bestPeer(p -> added(s.id(), p, q), true);
                    md.append(" | ").append(system.equals("direct") || PEERS.contains(system) ? "–"
                            : "%.2f× %s".formatted(added(s.id(), system, q) / best.value(), best.name()));
                }
                md.append(" | ").append(r.latency(s.id(), system, run -> run.load().requestsPerSecond()).format("%.0f"))
                        .append(" | ").append(failed(r.latency.get(s.id()).get(system).stream().map(Results.LatencyRun::load).toList()))
                        .append(" |\n");
            }
            md.append("\nAdded latency is the system's percentile minus the direct path's, from medians of the same run.\n\n");
        }
    }

    private void resources() {
        String s = "latency-h1-1k";
        md.append("## CPU and memory per proxy at ").append(settings.rps()).append(" RPS (HTTP/1.1, 1 KB, ")
                .append(settings.connections()).append(" connections)\n\n");
        md.append("| system | A: cores | B: cores | A: cores per 1000 RPS | B: cores per 1000 RPS | A: RSS MB | B: RSS MB |\n"
                + "|---|---|---|---|---|---|---|\n");
        for (String system : proxies(r.latency.getOrDefault(s, Map.of()).keySet())) {
            md.append("| ").append(system);
            for (int p = 0; p < 2; p++) {
                int i = p;
                md.append(" | ").append(r.latency(s, system, run -> run.proxyCores().get(i)).format("%.3f"));
            }
            for (int p = 0; p < 2; p++) {
                int i = p;
                md.append(" | ").append(r.latency(s, system, run -> run.proxyCores().get(i) / (run.load().requestsPerSecond() / 1000))
                        .format("%.3f"));
            }
            for (int p = 0; p < 2; p++) {
                int i = p;
                md.append(" | ").append(r.latency(s, system, run -> run.proxyRssKiB().get(i) / 1024.0).format("%.1f"));
            }
            md.append(" |\n");
        }
        md.append("\nCPU is utime + stime from `/proc/<pid>/stat` over the open-loop window (nginx: master and worker), memory "
                + "VmRSS from `/proc/<pid>/status` at its end.\n\n");
    }

    private void saturation() {
        for (Scenario s : Scenario.SATURATION) {
            boolean h2 = s.protocol() == Protocol.H2;
            md.append("## Saturation: ").append(s.protocol().label()).append(", ").append(s.bodyLabel()).append(", closed loop, ")
                    .append(h2 ? "2 connections × " + settings.h2Streams() + " streams" : settings.saturationConnections() + " connections")
                    .append("\n\n| system | req/s | vs nginx | vs haproxy | A: cores | B: cores | failed |\n|---|---|---|---|---|---|---|\n");
            for (String system : r.throughput.getOrDefault(s.id(), Map.of()).keySet()) {
                double v = rps(s.id(), system);
                md.append("| ").append(system).append(" | ").append(r.throughput(s.id(), system, t -> t.load().requestsPerSecond()).format("%.0f"));
                for (String peer : PEERS) {
                    md.append(" | ").append(system.equals(peer) || system.equals("direct") ? "–" : "%.2f×".formatted(v / rps(s.id(), peer)));
                }
                for (int p = 0; p < 2; p++) {
                    int i = p;
                    md.append(" | ").append(system.equals("direct") ? "–"
                            : r.throughput(s.id(), system, t -> t.proxyCores().get(i)).format("%.2f"));
                }
                md.append(" | ").append(failed(r.throughput.get(s.id()).get(system).stream().map(Results.ThroughputRun::load).toList()))
                        .append(" |\n");
            }
            md.append(h2 ? "\nnginx cannot speak HTTP/2 to its upstream: its A takes h2c and speaks HTTP/1.1 over TLS to B.\n\n" : "\n");
        }
    }

    private void handshakes() {
        md.append("## Full mTLS handshakes at B (`openssl s_time -new` with a client certificate)\n\n"
                + "| system | handshakes/s | per B CPU-second | vs nginx |\n|---|---|---|---|\n");
        double nginx = r.handshakes("nginx", Results.HandshakeRun::perCpuSecond).median();
        for (String system : r.handshakes.keySet()) {
            Spread perCpu = r.handshakes(system, Results.HandshakeRun::perCpuSecond);
            md.append("| ").append(system).append(" | ").append(r.handshakes(system, Results.HandshakeRun::perSecond).format("%.0f"))
                    .append(" | ").append(perCpu.format("%.0f")).append(" | ")
                    .append(system.equals("nginx") ? "–" : "%.2f×".formatted(perCpu.median() / nginx)).append(" |\n");
        }
        md.append("\nOne s_time client on CPU 0; per CPU-second divides by B's own CPU time, so the figure is per core of the "
                + "server even when the client is the bottleneck.\n\n");
    }

    private void reuse() {
        String s = "latency-h1-1k";
        md.append("## Connection reuse between the proxies (").append(settings.connections())
                .append(" app connections, HTTP/1.1, open loop)\n\n| system | connections opened | requests | on pooled connections |\n"
                        + "|---|---|---|---|\n");
        for (String system : proxies(r.latency.getOrDefault(s, Map.of()).keySet())) {
            List<Results.LatencyRun> runs = r.latency.get(s).get(system);
            long conns = 0;
            long reqs = 0;
            for (Results.LatencyRun run : runs) {
                conns += run.reuse().map(SystemUnderTest.ReuseCounts::connections).orElse(0L);
                reqs += run.reuse().map(SystemUnderTest.ReuseCounts::requests).orElse(0L);
            }
            md.append("| ").append(system).append(" | ").append(conns).append(" | ").append(reqs).append(" | ")
                    .append(fmt(pooled(s, system) * 100, "%.3f %%")).append(" |\n");
        }
        md.append("\nCounted during the measured windows only: aimesh from A's `/stats`, nginx from B's `stub_status`, haproxy "
                + "from B's frontend statistics.\n\n");
    }

    private void startup() {
        md.append("## Start-up: `aimesh proxy` launch to ready\n\n| system | time to ready |\n|---|---|\n");
        r.startups.forEach((system, times) -> md.append("| ").append(system).append(" | ")
                .append(Spread.of(times.stream().map(d -> d.toNanos() / 1e6).toList()).format("%.0f ms")).append(" |\n"));
        md.append("\nFrom the launch of `bin/aimesh proxy` to its \"ready\" line: JVM start, key pair and CSR, SVID from the "
                + "control plane, first config, listeners bound.\n\n");
    }

    /** With several aimesh variants (--jvm), one row each: the figures that JVM options move. */
    private void jvmComparison() {
        String lat = "latency-h1-1k";
        List<String> variants = r.latency.getOrDefault(lat, Map.of()).keySet().stream().filter(n -> n.startsWith("aimesh")).toList();
        if (variants.size() < 2) {
            return;
        }
        md.append("## aimesh under different JVM options\n\n| variant | added p50 | added p99 | A cores/1000 RPS | B cores/1000 RPS "
                + "| A RSS MB | B RSS MB | saturation h1 1 KB | saturation h2 1 KB | start-up |\n|---|---|---|---|---|---|---|---|---|---|\n");
        for (String v : variants) {
            md.append("| ").append(v).append(" | ").append(ms(added(lat, v, 50))).append(" | ").append(ms(added(lat, v, 99)))
                    .append(" | ").append(fmt(cpuPer1000(lat, v, 0), "%.3f")).append(" | ").append(fmt(cpuPer1000(lat, v, 1), "%.3f"))
                    .append(" | ").append(fmt(rssMiB(lat, v, 0), "%.1f")).append(" | ").append(fmt(rssMiB(lat, v, 1), "%.1f"))
                    .append(" | ").append(fmt(rps("saturation-h1-1k", v), "%.0f/s")).append(" | ")
                    .append(fmt(rps("saturation-h2-1k", v), "%.0f/s")).append(" | ")
                    .append(Spread.of(r.startups.getOrDefault(v, List.of()).stream().map(d -> d.toNanos() / 1e6).toList()).format("%.0f ms"))
                    .append(" |\n");
        }
        md.append("\n");
    }

    // ---- figures

    /** Failed requests over all repetitions, out of all requests sent. */
    private static String failed(List<LoadResult> runs) {
        long failed = runs.stream().mapToLong(LoadResult::failed).sum();
        long all = failed + runs.stream().mapToLong(LoadResult::succeeded).sum();
        return failed == 0 ? "0" : failed + " of " + all;
    }

    private double added(String scenario, String system, double q) {
        return r.latency(scenario, system, run -> run.load().percentileMillis(q)).median()
                - r.latency(scenario, "direct", run -> run.load().percentileMillis(q)).median();
    }

    private double cpuPer1000(String scenario, String system, int proxy) {
        return r.latency(scenario, system, run -> run.proxyCores().get(proxy) / (run.load().requestsPerSecond() / 1000)).median();
    }

    private double rssMiB(String scenario, String system, int proxy) {
        return r.latency(scenario, system, run -> run.proxyRssKiB().get(proxy) / 1024.0).median();
    }

    private double rps(String scenario, String system) {
        return r.throughput(scenario, system, t -> t.load().requestsPerSecond()).median();
    }

    private double pooled(String scenario, String system) {
        List<Results.LatencyRun> runs = r.latency.getOrDefault(scenario, Map.of()).getOrDefault(system, List.of());
        Optional<SystemUnderTest.ReuseCounts> total = runs.stream().map(Results.LatencyRun::reuse).flatMap(Optional::stream)
                .reduce((a, b) -> new SystemUnderTest.ReuseCounts(a.connections() + b.connections(), a.requests() + b.requests()));
        return total.map(SystemUnderTest.ReuseCounts::pooledShare).orElse(Double.NaN);
    }

    private static List<String> proxies(java.util.Collection<String> measured) {
        return measured.stream().filter(s -> !s.equals("direct")).toList();
    }

    private String ms(double v) {
        return fmt(v, "%.3f ms");
    }

    private static String cores(double v) {
        return fmt(v, "%.3f cores");
    }

    private static String fmt(double v, String pattern) {
        return Double.isNaN(v) ? "–" : pattern.formatted(v);
    }

    private static String fmtQ(double q) {
        return q == Math.rint(q) ? Long.toString((long) q) : Double.toString(q);
    }
}
