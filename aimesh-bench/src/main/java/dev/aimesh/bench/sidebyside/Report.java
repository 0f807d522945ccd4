package dev.aimesh.bench.sidebyside;

import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.DoubleFunction;
import java.util.function.ToDoubleFunction;

/** The markdown report: validity first, then one table per scenario, each aimesh figure beside the peers' from the same run, and the targets. */
final class Report {
    private static final List<String> PEERS = List.of("nginx", "haproxy");
    private static final double[] PERCENTILES = {50, 90, 99, 99.9};
    private static final String H1 = "latency-h1-1k";

    private final Results r;
    private final BenchSettings settings;
    private final Map<String, String> machine;
    private final Duration took;
    private final String chart;
    private final String coldChart;
    private final String gcDir;
    private final String jvmDir;
    private final String args;
    private final StringBuilder md = new StringBuilder();

    Report(Results results, BenchSettings settings, Map<String, String> machine, Duration took, String chart, String coldChart, String gcDir,
            String jvmDir, String args) {
        this.r = results;
        this.settings = settings;
        this.machine = machine;
        this.took = took;
        this.chart = chart;
        this.coldChart = coldChart;
        this.gcDir = gcDir;
        this.jvmDir = jvmDir;
        this.args = args;
    }

    String markdown() {
        md.append("# Side-by-side proxy benchmark, ").append(LocalDate.now()).append(" (").append(settings.name()).append(" run)\n\n");
        List<String> invalid = r.invalidBecause();
        if (!invalid.isEmpty()) {
            md.append("**INVALID run** — its figures do not measure the proxies:\n\n");
            invalid.forEach(w -> md.append("- ").append(w).append("\n"));
            md.append("\n");
        }
        if (settings.quickRun()) {
            md.append("**not warm** — a quick run checks that every scenario runs; it judges no target.\n\n");
        }
        if (r.latency.containsKey(H1)) {
            md.append("Direct path p50 (HTTP/1.1, 1 KB, paced): before ").append(ms(r.latency(H1, "direct", run -> run.load().percentileMillis(50)).median()))
                    .append(", after ").append(ms(r.latency(H1, Results.DIRECT_AFTER, run -> run.load().percentileMillis(50)).median()))
                    .append(" (a loopback round trip; above ").append(fmt(Results.DIRECT_P50_LIMIT_MS, "%.1f")).append(" ms the run is INVALID).\n\n");
        }
        md.append("Produced by `bench/run").append(args.isBlank() ? "" : " " + args).append("` in ").append(took.toMinutes()).append(" min ")
                .append(took.toSecondsPart()).append(" s. ");
        md.append("Topology: load generator (h2load) → proxy A (plain in; mTLS out, ").append(TlsPins.describe())
                .append(", ECDSA P-256 certificates, keep-alive) → proxy B (mTLS in, client certificate verified; plain out) → upstream "
                        + "(nginx `return 200`). The load generator, the upstream, the SSE upstream and client and the aimesh control "
                        + "plane are pinned to CPU 0, both proxies of a pair to CPU 1; each proxy runs one event-loop thread or worker. "
                        + "Open-loop load is paced (requests spread evenly, each timed from its intended start). Every figure is the "
                        + "median over ")
                .append(settings.repeats()).append(" repetitions, with the range in parentheses; ratios compare medians of this run only.\n\n");
        md.append("![latency percentiles per system](").append(chart).append(")\n\n");
        if (coldChart != null) {
            md.append("![cold start: per-second p50 and p99 per system](").append(coldChart).append(")\n\n");
        }
        machine();
        targets();
        pacing();
        warmUps();
        coldStarts();
        latency();
        resources();
        saturation();
        handshakes();
        parity();
        reuse();
        streaming();
        startup();
        jvms();
        if (!r.systemNotes.isEmpty()) {
            md.append("## Problems met during the run\n\n");
            r.systemNotes.forEach((system, note) -> md.append("- **").append(system).append("**: ").append(note).append("\n"));
            md.append("\n");
        }
        md.append("""
                ## What the systems ran with

                **aimesh**: mTLS between SPIFFE identities (client SVID verified against the trust bundle and trust domain, the
                server's SPIFFE ID pinned by A), x-forwarded-client-cert added by B, strict HTTP/1.1 framing checks and the
                request limits; **aimesh authz** also has an ALLOW AuthorizationPolicy of %d rules in force at B, the request
                allowed by the last. Metrics, access logs and DLP are not built yet, so the protocol's "metrics + access log"
                and "DLP on both bodies" variants cannot run. **nginx** and **haproxy**: certificates from a CA of the run made
                with openssl (the aimesh CA issues SPIFFE IDs only, and these check DNS names), B's naming it by DNS; A verifies
                B's chain and name, B requires and verifies A's certificate and adds an XFCC-like header (certificate hash and
                subject), as aimesh's B does.
                """.formatted(settings.authorizationRules()));
        return md.toString();
    }

    private void machine() {
        md.append("## Machine and versions\n\n| | |\n|---|---|\n");
        machine.forEach((k, v) -> {
            if (!k.equals("lscpu")) {
                md.append("| ").append(k).append(" | ").append(cell(v)).append(" |\n");
            }
        });
        md.append("| steal time during the run | ").append(fmt(r.stealShare * 100, "%.2f %%")).append(" |\n");
        md.append("| other busy processes (at the start, before each system) | ").append(r.contention.isEmpty() ? "none" : cell(String.join("; ", r.contention)))
                .append(" |\n");
        md.append("| settings | warm-up rounds of ").append(settings.warmUpRound().toSeconds()).append(" s for ")
                .append(settings.minWarmUp().toSeconds()).append("–").append(settings.maxWarmUp().toSeconds()).append(" s; open loop ")
                .append(settings.measure().toSeconds()).append(" s at ").append(settings.rps()).append(" RPS over ")
                .append(settings.connections()).append(" connections; closed loop ").append(settings.saturation().toSeconds())
                .append(" s; handshakes ").append(settings.handshakes().toSeconds()).append(" s; cold start ")
                .append(settings.coldStart().toSeconds()).append(" s; streaming ").append(settings.streams()).append(" × ")
                .append(settings.streamChunks()).append(" events every ").append(settings.streamIntervalMillis()).append(" ms |\n");
        if (gcDir != null) {
            md.append("| GC logs | [`").append(gcDir).append("/`](").append(gcDir).append("/) |\n");
        }
        if (jvmDir != null) {
            md.append("| JVM memory (native memory summaries where tracked, class histograms with streams open) | [`")
                    .append(jvmDir).append("/`](").append(jvmDir).append("/) |\n");
        }
        md.append("\n<details><summary>lscpu</summary>\n\n```\n").append(machine.getOrDefault("lscpu", "?")).append("\n```\n</details>\n\n");
    }

    // ---- targets

    /** The aimesh variant the latency and CPU targets are judged on: the authorization variant when it ran. */
    private String judged() {
        return r.latency.getOrDefault(H1, Map.of()).containsKey("aimesh authz") ? "aimesh authz" : "aimesh";
    }

    private void targets() {
        String a = judged();
        md.append("## Targets\n\nLatency and CPU targets are judged on **").append(a).append("**.\n\n")
                .append("| # | target | aimesh | best peer | ratio | met |\n|---|---|---|---|---|---|\n");
        for (double q : new double[] {50, 99}) {
            double aimesh = added(H1, a, q);
            Peer best = bestPeer(p -> added(H1, p, q), true);
            row("P1", "added p" + fmtQ(q) + " at " + settings.rps() + " RPS, 1 KB, HTTP/1.1 (≤ 1.0× the better peer)", ms(aimesh),
                    best.label(this::ms), aimesh / best.value(), aimesh <= best.value(), a, best.name());
        }
        double a999 = added(H1, a, 99.9);
        Peer best999 = bestPeer(p -> added(H1, p, 99.9), true);
        row("P1", "added p99.9 (reported)", ms(a999), best999.label(this::ms), a999 / best999.value(), true, a, best999.name());
        for (int proxy = 0; proxy < 2; proxy++) {
            int p = proxy;
            double aimesh = cpuPer1000(H1, a, p);
            Peer best = bestPeer(s -> cpuPer1000(H1, s, p), true);
            row("P2", "CPU per 1000 RPS, proxy " + (p == 0 ? "A" : "B") + " (≤ 1.0× the better peer)", cores(aimesh), best.label(Report::cores),
                    aimesh / best.value(), aimesh <= best.value(), a, best.name());
        }
        for (String sat : List.of("saturation-h1-1k", "saturation-h2-1k")) {
            double aimesh = rps(sat, "aimesh");
            Peer best = bestPeer(p -> rps(sat, p), false);
            row(sat.contains("h2") ? "P3/P13" : "P3", "saturation throughput, " + (sat.contains("h2") ? "HTTP/2 × 100 streams" : "HTTP/1.1")
                    + " (≥ 1.0× every peer)", fmt(aimesh, "%.0f/s"), best.label(v -> fmt(v, "%.0f/s")), aimesh / best.value(),
                    aimesh >= best.value(), "aimesh", best.name());
        }
        double rss = Math.max(mem(H1, "aimesh", 0, Results.LatencyRun::rssMiB), mem(H1, "aimesh", 1, Results.LatencyRun::rssMiB));
        double pss = Math.max(mem(H1, "aimesh", 0, Results.LatencyRun::pssMiB), mem(H1, "aimesh", 1, Results.LatencyRun::pssMiB));
        row("P4", "RSS per proxy at " + settings.rps() + " RPS, " + settings.connections() + " connections (≤ 64 MB, stretch 50 MB)",
                fmt(rss, "%.1f MB") + " (PSS " + fmt(pss, "%.1f MB") + ")",
                PEERS.stream().map(p -> p + " " + fmt(Math.max(mem(H1, p, 0, Results.LatencyRun::rssMiB), mem(H1, p, 1, Results.LatencyRun::rssMiB)),
                        "%.1f MB")).reduce((x, y) -> x + ", " + y).orElse(""), Double.NaN, rss <= 64, "aimesh", null);
        double hs = r.handshakes("aimesh", Results.HandshakeRun::perCpuSecond).median();
        Peer bestHs = bestPeer(p -> r.handshakes(p, Results.HandshakeRun::perCpuSecond).median(), false);
        TlsProbe.Result probe = r.probes.get("aimesh");
        row("P5", "full mTLS handshakes per core, client certificate verified (≥ 1.0× the better peer)"
                + (probe == null ? "" : probe.acceptedClientCertificate() ? "; B accepted it" : "; **B did not accept the certificate**"),
                fmt(hs, "%.0f/s"), bestHs.label(v -> fmt(v, "%.0f/s")), hs / bestHs.value(),
                hs >= bestHs.value() && (probe == null || probe.acceptedClientCertificate()), "aimesh", bestHs.name());
        double pooled = pooled(H1, a);
        row("P6", "requests on pooled connections between the proxies (≥ 99.9 %)", fmt(pooled * 100, "%.3f %%"),
                PEERS.stream().map(p -> p + " " + fmt(pooled(H1, p) * 100, "%.3f %%")).reduce((x, y) -> x + ", " + y).orElse(""),
                Double.NaN, pooled >= 0.999, a, null);
        Spread startup = Spread.of(r.startups.getOrDefault("aimesh", List.of()).stream().map(d -> d.toNanos() / 1e6).toList());
        row("P14", "proxy start to ready (≤ 0.5 s)", startup.format("%.0f ms"), "–", Double.NaN, startup.median() <= 500, "aimesh", null);
        ColdStart cold = r.coldStarts.get("aimesh");
        double warmP99 = r.latency(H1, "aimesh", run -> run.load().percentileMillis(99)).median();
        row("P15", "cold start: first 10 s p99 ≤ 2× the warm p99 (" + ms(warmP99) + "), no failed request",
                cold == null ? "–" : ms(cold.first10sP99Millis()) + ", " + cold.first10sFailed() + " failed",
                PEERS.stream().filter(r.coldStarts::containsKey).map(p -> p + " " + ms(r.coldStarts.get(p).first10sP99Millis())).reduce((x, y) -> x + ", " + y)
                        .orElse("–"), cold == null ? Double.NaN : cold.first10sP99Millis() / warmP99,
                cold != null && cold.first10sP99Millis() <= 2 * warmP99 && cold.first10sFailed() == 0, "aimesh", null);
        double ttfb = addedStreaming("aimesh", res -> res.ttfbMicros()[0] / 1000.0);
        row("P16", "streaming: added time to first byte at p50 (≤ 1 ms)", ms(ttfb),
                PEERS.stream().map(p -> p + " " + ms(addedStreaming(p, res -> res.ttfbMicros()[0] / 1000.0))).reduce((x, y) -> x + ", " + y).orElse(""),
                Double.NaN, ttfb <= 1.0, "aimesh", null);
        double perStream = Math.max(r.streaming("aimesh", res -> res.pssPerStreamKiB(0)).median(), r.streaming("aimesh", res -> res.pssPerStreamKiB(1)).median());
        row("P16", "streaming: memory (PSS) per open stream, the larger proxy (≤ 16 KB)", fmt(perStream, "%.1f KB"),
                PEERS.stream().map(p -> p + " " + fmt(Math.max(r.streaming(p, res -> res.pssPerStreamKiB(0)).median(),
                        r.streaming(p, res -> res.pssPerStreamKiB(1)).median()), "%.1f KB")).reduce((x, y) -> x + ", " + y).orElse(""),
                Double.NaN, perStream <= 16, "aimesh", null);
        double chunk = addedStreaming("aimesh", res -> res.chunkDelayMicros()[0] / 1000.0);
        row("P16", "streaming: added delay per chunk at p50 (≤ 1 ms)", ms(chunk),
                PEERS.stream().map(p -> p + " " + ms(addedStreaming(p, res -> res.chunkDelayMicros()[0] / 1000.0))).reduce((x, y) -> x + ", " + y)
                        .orElse(""), Double.NaN, chunk <= 1.0, "aimesh", null);
        md.append("\n\"not warm\": a system the target compares had not warmed up (or a quick run); \"INVALID\": the run itself cannot be "
                + "trusted (see the top). Neither judges the target.\n\n");
    }

    private record Peer(String name, double value) {
        String label(DoubleFunction<String> f) {
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

    /** A target row; {@code system} and {@code peer} must have warmed up (and the run be valid) for it to be judged. */
    private void row(String id, String what, String aimesh, String peer, double ratio, boolean met, String system, String comparedPeer) {
        String verdict;
        if (aimesh.startsWith("–")) {
            verdict = "not measured";
        } else if (!r.invalidBecause().isEmpty()) {
            verdict = "INVALID";
        } else if (settings.quickRun() || !warm(system) || (comparedPeer != null && !comparedPeer.equals("none") && !warm(comparedPeer))) {
            verdict = "not warm";
        } else {
            verdict = met ? "**yes**" : "no";
        }
        md.append("| ").append(id).append(" | ").append(what).append(" | ").append(aimesh).append(" | ").append(peer).append(" | ")
                .append(Double.isNaN(ratio) ? "–" : "%.2f×".formatted(ratio)).append(" | ").append(verdict).append(" |\n");
    }

    private boolean warm(String system) {
        WarmUp w = r.warmUps.get(system);
        return w == null || w.warm();
    }

    // ---- validity

    private void pacing() {
        md.append("## Pacing of the open-loop runs\n\n")
                .append("Each connection sends ").append(settings.rps() / settings.connections()).append(" requests per second (h2load `--rps`), ")
                .append("the connections started one every ").append(fmt(1000.0 / settings.rps(), "%.1f")).append(" ms (`-r 1 --rate-period`) ")
                .append("so that their requests interleave. A run is INVALID when the start rate is off by more than ")
                .append(fmt(Pacing.RATE_TOLERANCE * 100, "%.0f")).append(" % or the p99 of starts per ").append(Pacing.BIN_MICROS / 1000)
                .append(" ms exceeds ").append(fmt(Pacing.BURST_LIMIT, "%.0f")).append("× the even share; the whole report is INVALID when the "
                        + "direct path's runs are, or when its p50 is above ").append(fmt(Results.DIRECT_P50_LIMIT_MS, "%.1f"))
                .append(" ms. \"late\" is the share of requests a busy connection held back, timed from their intended start.\n\n")
                .append("| scenario | system | achieved req/s | burst (p99 per bin ÷ even) | late | verdict |\n|---|---|---|---|---|---|\n");
        r.latency.forEach((scenario, bySystem) -> bySystem.forEach((system, runs) -> {
            for (Results.LatencyRun run : runs) {
                Pacing p = run.load().pacing();
                md.append("| ").append(scenario).append(" | ").append(system).append(" | ").append(fmt(p.achievedRps(), "%.1f")).append(" | ")
                        .append(fmt(p.burstRatio(), "%.2f")).append(" | ").append(fmt(p.lateShare() * 100, "%.2f %%")).append(" | ")
                        .append(p.verdict()).append(" |\n");
            }
        }));
        md.append("\nThe direct path's p50: ");
        List<String> d = new ArrayList<>();
        for (Scenario s : Scenario.LATENCY) {
            d.add(s.id() + " before " + ms(r.latency(s.id(), "direct", run -> run.load().percentileMillis(50)).median()) + ", after "
                    + ms(r.latency(s.id(), Results.DIRECT_AFTER, run -> run.load().percentileMillis(50)).median()));
        }
        md.append(String.join("; ", d)).append(".\n\n");
    }

    private void warmUps() {
        if (r.warmUps.isEmpty()) {
            return;
        }
        md.append("## Warm-up\n\nRounds of ").append(settings.warmUpRound().toSeconds()).append(" s at ").append(settings.rps())
                .append(" RPS over ").append(settings.connections()).append(" connections (paced, HTTP/1.1, 1 KB; each followed by 1 s of "
                        + "HTTP/2). Warm when the last ").append(WarmUp.ROUNDS_THAT_AGREE).append(" rounds were paced, their p50s within ±")
                .append(fmt(WarmUp.AGREE * 100, "%.0f")).append(" % of their median with no trend, and the JVMs compiled at most ")
                .append(WarmUp.JIT_QUIET).append(" methods in the last round (`-Xlog:jit+compilation`).\n\n")
                .append("| system | warm-up | verdict | p50 per round, ms | p99 per round, ms | methods compiled per round |\n|---|---|---|---|---|---|\n");
        r.warmUps.forEach((system, w) -> md.append("| ").append(system).append(" | ").append(w.took().toSeconds()).append(" s | ")
                .append(w.warm() ? "warm" : "**" + w.verdict() + "**").append(" | ")
                .append(String.join(" → ", w.rounds().stream().map(x -> fmt(x.p50Millis(), "%.3f")).toList())).append(" | ")
                .append(String.join(" → ", w.rounds().stream().map(x -> fmt(x.p99Millis(), "%.2f")).toList())).append(" | ")
                .append(w.rounds().get(0).compilations() < 0 ? "– (no JVM)"
                        : String.join(", ", w.rounds().stream().map(x -> Long.toString(x.compilations())).toList()))
                .append(" |\n"));
        md.append("\n");
    }

    private void coldStarts() {
        if (r.coldStarts.isEmpty()) {
            return;
        }
        md.append("## Cold start: ").append(settings.rps()).append(" RPS from the moment the pair is ready, for ")
                .append(settings.coldStart().toSeconds()).append(" s\n\n")
                .append("Seconds are counted by the requests' intended start; steady from the first second after which no second has a "
                        + "failure or a p99 above ").append(fmt(ColdStart.STEADY_FACTOR, "%.0f"))
                .append("× the reference: the system's warm p99 (the HTTP/1.1 latency scenario, same rate and connections), or, when "
                        + "that did not run, the median per-second p99 of the cold start's last third.\n\n")
                .append("| system | first request | first 10 s: p99 | first 10 s: failed | failed in all | steady after | reference p99 | pacing |\n"
                        + "|---|---|---|---|---|---|---|---|\n");
        r.coldStarts.forEach((system, c) -> {
            double reference = coldReference(system, c);
            double steady = c.steadyAfterSeconds(reference);
            md.append("| ").append(system).append(" | ").append(ms(c.firstRequestMillis())).append(" | ")
                    .append(ms(c.first10sP99Millis())).append(" | ").append(c.first10sFailed()).append(" | ").append(c.failed()).append(" | ")
                    .append(Double.isNaN(steady) ? "never" : (long) steady + " s").append(" | ").append(ms(reference)).append(" | ")
                    .append(c.pacing().verdict()).append(" |\n");
        });
        md.append("\nPer second, the first ").append(ColdStart.FIRST_SECONDS).append(" s (p50 / p99 ms, failed):\n\n| second |");
        r.coldStarts.keySet().forEach(s -> md.append(" ").append(s).append(" |"));
        md.append("\n|---|").append("---|".repeat(r.coldStarts.size())).append("\n");
        for (int s = 0; s < ColdStart.FIRST_SECONDS; s++) {
            md.append("| ").append(s);
            for (ColdStart c : r.coldStarts.values()) {
                md.append(" | ");
                if (s < c.seconds().size()) {
                    ColdStart.Second sec = c.seconds().get(s);
                    md.append(fmt(sec.p50Millis(), "%.2f")).append(" / ").append(fmt(sec.p99Millis(), "%.2f"))
                            .append(sec.failed() > 0 ? ", **" + sec.failed() + " failed**" : "");
                }
            }
            md.append(" |\n");
        }
        md.append("\n");
    }

    /** The system's warm p99 when the latency scenario ran, otherwise the cold start's own tail. */
    private double coldReference(String system, ColdStart c) {
        double warm = r.latency(H1, system, run -> run.load().percentileMillis(99)).median();
        return Double.isNaN(warm) ? c.referenceP99Millis() : warm;
    }

    // ---- per-scenario tables

    private void latency() {
        for (Scenario s : Scenario.LATENCY) {
            if (!r.latency.containsKey(s.id())) {
                continue;
            }
            md.append("## Latency: ").append(s.protocol().label()).append(", ").append(s.bodyLabel()).append(", ")
                    .append(settings.rps()).append(" RPS paced open loop over ").append(settings.connections()).append(" connections\n\n");
            md.append("| system | p50 ms | p90 ms | p99 ms | p99.9 ms | added p50 | added p99 | added p99.9 | ratio p50 | ratio p99 |"
                    + " req/s | failed | paced |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
            for (String system : r.latency.get(s.id()).keySet()) {
                boolean direct = system.startsWith("direct");
                md.append("| ").append(system);
                for (double q : PERCENTILES) {
                    md.append(" | ").append(r.latency(s.id(), system, run -> run.load().percentileMillis(q)).format("%.3f"));
                }
                for (double q : new double[] {50, 99, 99.9}) {
                    md.append(" | ").append(direct ? "–" : ms(added(s.id(), system, q)));
                }
                for (double q : new double[] {50, 99}) {
                    Peer best = bestPeer(p -> added(s.id(), p, q), true);
                    double ratio = added(s.id(), system, q) / best.value();
                    md.append(" | ").append(direct || PEERS.contains(system) || Double.isNaN(ratio) ? "–"
                            : "%.2f× %s".formatted(ratio, best.name()));
                }
                md.append(" | ").append(r.latency(s.id(), system, run -> run.load().pacing().achievedRps()).format("%.0f"))
                        .append(" | ").append(failed(r.runs(s.id(), system).stream().map(Results.LatencyRun::load).toList()))
                        .append(" | ").append(r.runs(s.id(), system).stream().allMatch(x -> x.load().paced()) ? "yes" : "**INVALID**")
                        .append(" |\n");
            }
            md.append("\nLatency from each request's intended start. Added latency is the system's percentile minus the direct path's "
                    + "(its runs before and after the systems together), from medians of the same run.\n\n");
        }
    }

    private void resources() {
        if (!r.latency.containsKey(H1)) {
            return;
        }
        md.append("## CPU and memory per proxy at ").append(settings.rps()).append(" RPS (HTTP/1.1, 1 KB, ")
                .append(settings.connections()).append(" connections)\n\n");
        md.append("| system | A: cores | B: cores | A: cores per 1000 RPS | B: cores per 1000 RPS | A: RSS MB | B: RSS MB | A: PSS MB | B: PSS MB "
                + "| A: anon MB | B: anon MB |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (String system : proxies(r.latency.get(H1).keySet())) {
            md.append("| ").append(system);
            for (int p = 0; p < 2; p++) {
                int i = p;
                md.append(" | ").append(r.latency(H1, system, run -> run.proxyCores().get(i)).format("%.3f"));
            }
            for (int p = 0; p < 2; p++) {
                int i = p;
                md.append(" | ").append(r.latency(H1, system, run -> run.proxyCores().get(i) / (run.load().pacing().achievedRps() / 1000))
                        .format("%.3f"));
            }
            appendMem(system, Results.LatencyRun::rssMiB);
            appendMem(system, Results.LatencyRun::pssMiB);
            appendMem(system, Results.LatencyRun::anonMiB);
            md.append(" |\n");
        }
        md.append("\nCPU is utime + stime from `/proc/<pid>/stat` over the open-loop window (nginx: master and worker). Memory at its end: RSS "
                + "(`VmRSS`) counts shared pages in full; PSS divides them among the processes that share them; anon is the anonymous "
                + "resident memory (heap, stacks, malloc), both from `/proc/<pid>/smaps_rollup`.\n\n");
    }

    private void appendMem(String system, Memory metric) {
        for (int p = 0; p < 2; p++) {
            int i = p;
            md.append(" | ").append(r.latency(H1, system, run -> metric.of(run, i)).format("%.1f"));
        }
    }

    private void saturation() {
        for (Scenario s : Scenario.SATURATION) {
            if (!r.throughput.containsKey(s.id())) {
                continue;
            }
            boolean h2 = s.protocol() == Protocol.H2;
            md.append("## Saturation: ").append(s.protocol().label()).append(", ").append(s.bodyLabel()).append(", closed loop, ")
                    .append(h2 ? "2 connections × " + settings.h2Streams() + " streams" : settings.saturationConnections() + " connections")
                    .append("\n\n| system | req/s (h2load) | req/s (wrk) | vs nginx | vs haproxy | A: cores | B: cores | failed |\n"
                            + "|---|---|---|---|---|---|---|---|\n");
            for (String system : r.throughput.get(s.id()).keySet()) {
                double v = rps(s.id(), system);
                md.append("| ").append(system).append(" | ").append(r.throughput(s.id(), system, t -> t.load().requestsPerSecond()).format("%.0f"))
                        .append(" | ").append(r.throughput(s.id(), system, Results.ThroughputRun::wrkRps).format("%.0f"));
                for (String peer : PEERS) {
                    md.append(" | ").append(system.equals(peer) || system.startsWith("direct") ? "–" : fmt(v / rps(s.id(), peer), "%.2f×"));
                }
                for (int p = 0; p < 2; p++) {
                    int i = p;
                    md.append(" | ").append(system.equals("direct") ? "–"
                            : r.throughput(s.id(), system, t -> t.proxyCores().get(i)).format("%.2f"));
                }
                md.append(" | ").append(failed(r.throughput.get(s.id()).get(system).stream().map(Results.ThroughputRun::load).toList()))
                        .append(" |\n");
            }
            md.append(h2 ? "\nnginx cannot speak HTTP/2 to its upstream: its A takes h2c and speaks HTTP/1.1 over TLS to B.\n\n"
                    : "\nwrk (closed loop, same connections, run right after h2load) is the cross-check of the load generator.\n\n");
        }
    }

    private void handshakes() {
        if (r.handshakes.isEmpty()) {
            return;
        }
        md.append("## Full mTLS handshakes at B (`openssl s_time -new` with a client certificate)\n\n"
                + "| system | handshakes/s | per B CPU-second | vs nginx | vs haproxy | B accepted the certificate |\n|---|---|---|---|---|---|\n");
        for (String system : r.handshakes.keySet()) {
            Spread perCpu = r.handshakes(system, Results.HandshakeRun::perCpuSecond);
            md.append("| ").append(system).append(" | ").append(r.handshakes(system, Results.HandshakeRun::perSecond).format("%.0f"))
                    .append(" | ").append(perCpu.format("%.0f"));
            for (String peer : PEERS) {
                md.append(" | ").append(system.equals(peer) ? "–"
                        : fmt(perCpu.median() / r.handshakes(peer, Results.HandshakeRun::perCpuSecond).median(), "%.2f×"));
            }
            TlsProbe.Result probe = r.probes.get(system);
            md.append(" | ").append(probe == null ? "–" : probe.acceptedClientCertificate() ? "yes (" + probe.withCertificate() + ")"
                    : "**no** (" + probe.withCertificate() + ")").append(" |\n");
        }
        md.append("\nOne s_time client on CPU 0, offering only the pinned group; per CPU-second divides by B's own CPU time, so the figure "
                + "is per core of the server even when the client is the bottleneck. \"Accepted\": a request with the same certificate "
                + "got a 2xx answer through B (see the parity table).\n\n");
    }

    private void parity() {
        if (r.probes.isEmpty()) {
            return;
        }
        md.append("## Parity: TLS parameters, certificate checks, extra work\n\nPinned everywhere: ").append(TlsPins.describe())
                .append(". The probe (`openssl s_client` to B, offering X25519 before P-256 and AES-256-GCM and ChaCha20 after "
                        + "AES-128-GCM) shows what B negotiates, that it answers with the client certificate and refuses without, "
                        + "and the x-forwarded-client-cert header the upstream received from B.\n\n")
                .append("| system | how it is pinned | B negotiated | with the certificate | without | XFCC at the upstream |\n"
                        + "|---|---|---|---|---|---|\n");
        r.probes.forEach((system, p) -> md.append("| ").append(system).append(" | ").append(cell(r.tlsPinning.getOrDefault(system, "–")))
                .append(" | ").append(cell(p.protocol() + ", " + p.group() + ", " + p.cipher())).append(" | ").append(p.withCertificate())
                .append(" | ").append(p.refusedWithoutCertificate() ? p.withoutCertificate() : "**" + p.withoutCertificate() + "**")
                .append(" | `").append(cell(p.xfcc())).append("` |\n"));
        md.append("\n");
    }

    private void reuse() {
        if (!r.latency.containsKey(H1)) {
            return;
        }
        md.append("## Connection reuse between the proxies (").append(settings.connections())
                .append(" app connections, HTTP/1.1, open loop)\n\n| system | connections opened | requests | on pooled connections |\n"
                        + "|---|---|---|---|\n");
        for (String system : proxies(r.latency.get(H1).keySet())) {
            long conns = 0;
            long reqs = 0;
            for (Results.LatencyRun run : r.runs(H1, system)) {
                conns += run.reuse().map(SystemUnderTest.ReuseCounts::connections).orElse(0L);
                reqs += run.reuse().map(SystemUnderTest.ReuseCounts::requests).orElse(0L);
            }
            md.append("| ").append(system).append(" | ").append(conns).append(" | ").append(reqs).append(" | ")
                    .append(fmt(pooled(H1, system) * 100, "%.3f %%")).append(" |\n");
        }
        md.append("\nCounted during the measured windows only: aimesh from A's `/stats`, nginx from B's `stub_status`, haproxy "
                + "from B's frontend statistics.\n\n");
    }

    private void streaming() {
        if (r.streaming.isEmpty()) {
            return;
        }
        md.append("## Streaming: ").append(settings.streams()).append(" concurrent SSE responses of ").append(settings.streamMinBytes() / 1024)
                .append(" KB–").append(settings.streamMaxBytes() / 1024).append(" KB, ").append(settings.streamChunks()).append(" events every ")
                .append(settings.streamIntervalMillis()).append(" ms\n\n")
                .append("| system | TTFB p50 ms | TTFB p99 ms | added TTFB p50 | chunk delay p50 ms | p99 | p99.9 | added p50 | added p99 "
                        + "| A: PSS KB/stream | B: PSS KB/stream | A: RSS KB/stream | B: RSS KB/stream | failed |\n"
                        + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (String system : r.streaming.keySet()) {
            boolean direct = system.startsWith("direct");
            md.append("| ").append(system).append(" | ").append(r.streaming(system, x -> x.ttfbMicros()[0] / 1000.0).format("%.2f"))
                    .append(" | ").append(r.streaming(system, x -> x.ttfbMicros()[2] / 1000.0).format("%.2f")).append(" | ")
                    .append(direct ? "–" : ms(addedStreaming(system, x -> x.ttfbMicros()[0] / 1000.0))).append(" | ")
                    .append(r.streaming(system, x -> x.chunkDelayMicros()[0] / 1000.0).format("%.2f")).append(" | ")
                    .append(r.streaming(system, x -> x.chunkDelayMicros()[2] / 1000.0).format("%.2f")).append(" | ")
                    .append(r.streaming(system, x -> x.chunkDelayMicros()[3] / 1000.0).format("%.2f")).append(" | ")
                    .append(direct ? "–" : ms(addedStreaming(system, x -> x.chunkDelayMicros()[0] / 1000.0))).append(" | ")
                    .append(direct ? "–" : ms(addedStreaming(system, x -> x.chunkDelayMicros()[2] / 1000.0)));
            for (int p = 0; p < 2; p++) {
                int i = p;
                md.append(" | ").append(direct ? "–" : r.streaming(system, x -> x.pssPerStreamKiB(i)).format("%.1f"));
            }
            for (int p = 0; p < 2; p++) {
                int i = p;
                md.append(" | ").append(direct ? "–" : r.streaming(system, x -> x.rssPerStreamKiB(i)).format("%.1f"));
            }
            md.append(" | ").append(r.streaming.get(system).stream().mapToInt(Streaming.Result::failed).sum()).append(" |\n");
        }
        md.append("\nTime to first byte: from writing the request to reading the first event. Chunk delay: from the upstream's write of an "
                + "event to the client's read of it (one monotonic clock). Both pass the upstream nginx unbuffered in every system, the "
                + "direct path included. Memory per stream: each proxy's PSS (RSS) with every stream open minus before, divided by the "
                + "streams. One round before the measured ones warms the streaming path.\n\n");
    }

    private void startup() {
        if (r.startups.isEmpty()) {
            return;
        }
        md.append("## Start-up: `aimesh proxy` launch to ready\n\n| system | time to ready |\n|---|---|\n");
        r.startups.forEach((system, times) -> md.append("| ").append(system).append(" | ")
                .append(Spread.of(times.stream().map(d -> d.toNanos() / 1e6).toList()).format("%.0f ms")).append(" |\n"));
        md.append("\nFrom the launch of `bin/aimesh proxy` to its \"ready\" line: JVM start, key pair and CSR, SVID from the "
                + "control plane, first config, listeners bound.\n\n");
    }

    /** The JVM options of each aimesh variant, and with several (--jvm), one row each of the figures they move. */
    private void jvms() {
        if (!r.jvmFlags.isEmpty()) {
            md.append("## JVM options of the aimesh proxies\n\n");
            r.jvmFlags.forEach((v, flags) -> md.append("- **").append(v).append("**: `").append(flags).append("`\n"));
            md.append("\n");
        }
        List<String> variants = r.latency.getOrDefault(H1, Map.of()).keySet().stream().filter(n -> n.startsWith("aimesh")).toList();
        if (variants.size() < 2) {
            return;
        }
        md.append("## aimesh variants\n\n| variant | added p50 | added p99 | A cores/1000 RPS | B cores/1000 RPS "
                + "| A RSS MB | B RSS MB | A PSS MB | B PSS MB | saturation h1 1 KB | saturation h2 1 KB | start-up |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (String v : variants) {
            md.append("| ").append(v).append(" | ").append(ms(added(H1, v, 50))).append(" | ").append(ms(added(H1, v, 99)))
                    .append(" | ").append(fmt(cpuPer1000(H1, v, 0), "%.3f")).append(" | ").append(fmt(cpuPer1000(H1, v, 1), "%.3f"))
                    .append(" | ").append(fmt(mem(H1, v, 0, Results.LatencyRun::rssMiB), "%.1f")).append(" | ")
                    .append(fmt(mem(H1, v, 1, Results.LatencyRun::rssMiB), "%.1f")).append(" | ")
                    .append(fmt(mem(H1, v, 0, Results.LatencyRun::pssMiB), "%.1f")).append(" | ")
                    .append(fmt(mem(H1, v, 1, Results.LatencyRun::pssMiB), "%.1f"))
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
                - r.direct(scenario, run -> run.load().percentileMillis(q)).median();
    }

    private double addedStreaming(String system, ToDoubleFunction<Streaming.Result> metric) {
        return r.streaming(system, metric).median() - r.streaming("direct", metric).median();
    }

    private double cpuPer1000(String scenario, String system, int proxy) {
        return r.latency(scenario, system, run -> run.proxyCores().get(proxy) / (run.load().pacing().achievedRps() / 1000)).median();
    }

    private interface Memory {
        double of(Results.LatencyRun run, int proxy);
    }

    private double mem(String scenario, String system, int proxy, Memory m) {
        return r.latency(scenario, system, run -> m.of(run, proxy)).median();
    }

    private double rps(String scenario, String system) {
        return r.throughput(scenario, system, t -> t.load().requestsPerSecond()).median();
    }

    private double pooled(String scenario, String system) {
        Optional<SystemUnderTest.ReuseCounts> total = r.runs(scenario, system).stream().map(Results.LatencyRun::reuse).flatMap(Optional::stream)
                .reduce((a, b) -> new SystemUnderTest.ReuseCounts(a.connections() + b.connections(), a.requests() + b.requests()));
        return total.map(SystemUnderTest.ReuseCounts::pooledShare).orElse(Double.NaN);
    }

    private static List<String> proxies(java.util.Collection<String> measured) {
        return measured.stream().filter(s -> !s.startsWith("direct")).toList();
    }

    private static String cell(String v) {
        return v.replace("|", "/").replace("\n", " ");
    }

    private String ms(double v) {
        return fmt(v, "%.3f ms");
    }

    private static String cores(double v) {
        return fmt(v, "%.3f cores");
    }

    private static String fmt(double v, String pattern) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "–" : pattern.formatted(v);
    }

    private static String fmtQ(double q) {
        return q == Math.rint(q) ? Long.toString((long) q) : Double.toString(q);
    }
}
