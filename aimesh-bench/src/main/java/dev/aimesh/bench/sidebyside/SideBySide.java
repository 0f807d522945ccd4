package dev.aimesh.bench.sidebyside;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The side-by-side proxy benchmark of BENCHMARKS.md: direct, the aimesh pair (also with an authorization policy in
 * force), the nginx pair and the haproxy pair, back to back in one run on the same upstream, load generator and
 * upstream on one CPU and the two proxies of a pair on the other; the direct path again at the end; then a markdown
 * report, a latency chart and a cold-start chart.
 */
public final class SideBySide {
    static final List<String> SYSTEMS = List.of("direct", "aimesh", "aimesh-authz", "nginx", "haproxy");
    static final List<String> SCENARIOS = List.of("cold-start", "latency", "saturation", "handshakes", "streaming", "startup");
    private static final Pattern LISTENING = Pattern.compile("listening on (\\d+)");

    private final BenchSettings settings;
    private final Workspace ws;
    private final List<String> systems;
    private final Set<String> scenarios;
    private final Map<String, String> aimeshJvms;
    private final Results results = new Results();
    private final H2load h2load;
    private final HandshakeLoad handshakes;

    SideBySide(BenchSettings settings, Workspace ws, List<String> systems, Set<String> scenarios, Map<String, String> aimeshJvms) {
        this.settings = settings;
        this.ws = ws;
        this.systems = systems;
        this.scenarios = scenarios;
        this.aimeshJvms = aimeshJvms;
        this.h2load = new H2load(ws.loadCpus(), ws.dir());
        this.handshakes = new HandshakeLoad(ws.loadCpus());
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (options == null) {
            return;
        }
        List<String> problems = Preflight.problems();
        List<String> busy = Preflight.busyProcesses(Duration.ofSeconds(2));
        if (!options.force()) {
            busy.forEach(b -> problems.add("another process is using the CPU, so the figures would be noise: " + b
                    + " (wait for it, or pass --force: the report is then marked INVALID)"));
        }
        if (!problems.isEmpty()) {
            problems.forEach(p -> System.err.println("bench: " + p));
            System.exit(3);
        }
        // Aborted (Ctrl-C, kill): stop every process this run started, not only those in the process group.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> ProcessHandle.current().descendants().forEach(ProcessHandle::destroy)));
        Path dir = Files.createTempDirectory("aimesh-bench-");
        Workspace ws = new Workspace(dir, options.root(), "0", "1");
        SideBySide bench = new SideBySide(options.settings(), ws, options.systems(), options.scenarios(), options.aimeshJvms());
        busy.forEach(b -> bench.results.contention.add("at the start: " + b));
        Machine.CpuTimes cpuBefore = Machine.cpuTimes();
        long started = System.nanoTime();
        bench.run();
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        bench.results.stealShare = Machine.cpuTimes().stealShareSince(cpuBefore);
        Files.createDirectories(options.out());
        String stem = LocalDate.now() + "-" + Preflight.hostName() + (options.settings().quickRun() ? "-quick" : "");
        Path chart = options.out().resolve(stem + ".png");
        LatencyChart.write(bench.results, chart);
        Path coldChart = options.out().resolve(stem + "-cold-start.png");
        boolean cold = !bench.results.coldStarts.isEmpty();
        if (cold) {
            ColdStartChart.write(bench.results, coldChart);
        }
        Path logs = options.out().resolve(stem + "-gc");
        if (!bench.results.gcLogs.isEmpty()) {
            Files.createDirectories(logs);
            for (Path gc : bench.results.gcLogs) {
                if (Files.exists(gc)) {
                    Files.copy(gc, logs.resolve(gc.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        Path jvm = options.out().resolve(stem + "-jvm");
        if (!bench.results.jvmDiagnostics.isEmpty()) {
            Files.createDirectories(jvm);
            for (Path file : bench.results.jvmDiagnostics) {
                Files.copy(file, jvm.resolve(file.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Path report = options.out().resolve(stem + ".md");
        Files.writeString(report, new Report(bench.results, options.settings(), Machine.describe(options.root()), took,
                chart.getFileName().toString(), cold ? coldChart.getFileName().toString() : null,
                bench.results.gcLogs.isEmpty() ? null : logs.getFileName().toString(),
                bench.results.jvmDiagnostics.isEmpty() ? null : jvm.getFileName().toString(), options.shown()).markdown());
        System.out.println("bench: report " + report + ", charts " + chart + (cold ? ", " + coldChart : "") + " (" + took.toSeconds()
                + " s; work files in " + dir + ")");
    }

    void run() throws Exception {
        int upstreamPort = Workspace.freePort();
        int upstreamH2c = Workspace.freePort();
        progress("starting the SSE upstream, the upstream (nginx) and an aimesh control plane");
        try (Launched sse = Launched.start("sse upstream", ws.loadCpus(), List.of(Jvm.java(), "-XX:+UseSerialGC", "-Xmx256m", "-cp",
                Jvm.classPath(), SseUpstream.class.getName(), "0"), Map.of(), ws.dir().resolve("sse-upstream.log"));
                Launched upstream = Nginx.upstream(ws, upstreamPort, upstreamH2c,
                        Integer.parseInt(sse.awaitOutput(LISTENING, Duration.ofSeconds(30)).group(1)));
                AimeshControlPlane cp = new AimeshControlPlane(ws, upstreamPort)) {
            List<PemFiles> peers = PeerCa.issue(ws);
            Path opensslConf = TlsPins.opensslConf(ws);
            PemFiles aimeshClient = cp.fetch("client");
            for (String system : systems) {
                checkQuiet(system);
                switch (system) {
                    case "direct" -> guarded("direct", () -> {
                        try (DirectPath direct = new DirectPath(upstreamPort, upstreamH2c, "direct")) {
                            measure(direct, true);
                        }
                    });
                    case "aimesh" -> {
                        for (var jvm : aimeshJvms.entrySet()) {
                            String name = jvm.getKey().isEmpty() ? "aimesh" : "aimesh " + jvm.getKey();
                            guarded(name, () -> {
                                progress("measuring " + name);
                                try (AimeshPair pair = new AimeshPair(ws, cp, upstreamPort, name, jvm.getValue(), aimeshClient)) {
                                    results.addStartup(name, pair.startup());
                                    results.jvmFlags.put(name, pair.jvmFlags());
                                    results.gcLogs.addAll(pair.gcLogs());
                                    coldStart(pair);
                                    measure(pair, true);
                                }
                                if (scenarios.contains("startup")) {
                                    measureStartups(cp, upstreamPort, name, jvm.getValue());
                                }
                            });
                        }
                    }
                    case "aimesh-authz" -> guarded("aimesh authz", () -> {
                        String name = "aimesh authz";
                        progress("measuring " + name + " (" + settings.authorizationRules() + " authorization rules in force)");
                        Path policy = cp.writeAuthorizationPolicy(settings.authorizationRules());
                        try (AimeshPair pair = new AimeshPair(ws, cp, upstreamPort, name, "", aimeshClient)) {
                            results.gcLogs.addAll(pair.gcLogs());
                            awaitDenied(pair);
                            measure(pair, false);
                        } finally {
                            Files.deleteIfExists(policy);
                        }
                    });
                    case "nginx" -> guarded("nginx", () -> {
                        progress("measuring nginx");
                        try (NginxPair pair = new NginxPair(ws, upstreamPort, peers.get(0), peers.get(1), opensslConf)) {
                            coldStart(pair);
                            measure(pair, true);
                        }
                    });
                    case "haproxy" -> guarded("haproxy", () -> {
                        progress("measuring haproxy");
                        try (HaproxyPair pair = new HaproxyPair(ws, upstreamPort, peers.get(0), peers.get(1), opensslConf)) {
                            coldStart(pair);
                            measure(pair, true);
                        }
                    });
                    default -> throw new IllegalArgumentException("unknown system " + system);
                }
            }
            if (systems.contains("direct") && systems.size() > 1 && scenarios.contains("latency")) {
                guarded(Results.DIRECT_AFTER, () -> {
                    progress("measuring the direct path again");
                    try (DirectPath direct = new DirectPath(upstreamPort, upstreamH2c, Results.DIRECT_AFTER)) {
                        warmUp(direct);
                        latency(direct);
                    }
                });
            }
        }
    }

    /** A machine that became busy during the run makes its figures noise: the report says so (INVALID). */
    private void checkQuiet(String system) throws InterruptedException {
        for (String busy : Preflight.busyProcesses(Duration.ofSeconds(1))) {
            progress("  another process is busy before " + system + ": " + busy);
            results.contention.add("before " + system + ": " + busy);
        }
    }

    /**
     * The policy reaches the proxies through the control plane's watcher: wait until B denies a path no rule
     * allows, then check that the measured path is still allowed.
     */
    private void awaitDenied(AimeshPair pair) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int status = 0;
        while (System.nanoTime() < deadline && (status = Http.status(pair.outbound(), AimeshPair.HOST, "/denied")) != 403) {
            pause(Duration.ofMillis(100));
        }
        if (status != 403) {
            throw new IllegalStateException("the authorization policy is not in force: GET /denied answered " + status + " after 30 s");
        }
        int allowed = Http.status(pair.outbound(), AimeshPair.HOST, "/1k");
        if (allowed != 200) {
            throw new IllegalStateException("the authorization policy denies the measured request: GET /1k answered " + allowed);
        }
        progress("  policy in force: GET /denied → 403, GET /1k → 200");
    }

    /**
     * From the moment the pair is ready, the measured rate at once for {@code coldStart}: per-second latency and
     * failures until it is as fast as it will get.
     */
    private void coldStart(SystemUnderTest sut) {
        if (!scenarios.contains("cold-start")) {
            return;
        }
        progress("  " + sut.name() + ": cold start, " + settings.rps() + " RPS for " + settings.coldStart().toSeconds() + " s");
        H2load.OpenLoop run = h2load.openLoop(sut.target(Protocol.H1, "/1k"), Protocol.H1, settings.connections(), settings.rps(),
                settings.coldStart());
        ColdStart c = ColdStart.of(run.requests(), run.correctedMicros(), run.result().pacing());
        results.coldStarts.put(sut.name(), c);
        double steady = c.steadyAfterSeconds(c.referenceP99Millis());
        progress("  " + sut.name() + ": first request %.1f ms, first 10 s p99 %.2f ms, %d failed, p99 within %.0f× of its last third's after %s s"
                .formatted(c.firstRequestMillis(), c.first10sP99Millis(), c.failed(), ColdStart.STEADY_FACTOR, Double.isNaN(steady) ? "–" : (long) steady));
    }

    private void measure(SystemUnderTest sut, boolean everything) throws IOException {
        boolean any = scenarios.contains("latency") || scenarios.contains("saturation") || scenarios.contains("streaming");
        if (any) {
            warmUp(sut);
        }
        if (scenarios.contains("latency")) {
            latency(sut);
        }
        if (!everything) {
            return;
        }
        if (scenarios.contains("saturation")) {
            saturation(sut);
        }
        if (scenarios.contains("handshakes") && sut.mtlsPort().isPresent()) {
            handshakes(sut);
        }
        if (scenarios.contains("streaming")) {
            // The first round warms the streaming path (and the client) and is not reported.
            Streaming.run(ws, sut, settings, settings.repeats() + 1, results.jvmDiagnostics).forEach(r -> results.add(sut.name(), r));
        }
    }

    private void latency(SystemUnderTest sut) {
        for (Scenario s : Scenario.LATENCY) {
            for (int i = 0; i < settings.repeats(); i++) {
                progress("  " + sut.name() + ": " + s.id() + " run " + (i + 1) + "/" + settings.repeats());
                Optional<SystemUnderTest.ReuseCounts> before = sut.reuse();
                List<ProcessTree.Sample> start = samples(sut);
                LoadResult load = h2load.openLoop(sut.target(s.protocol(), s.path()), s.protocol(), settings.connections(), settings.rps(),
                        settings.measure()).result();
                List<ProcessTree.Sample> end = samples(sut);
                Optional<SystemUnderTest.ReuseCounts> after = sut.reuse();
                check(sut.name(), s.id(), load);
                List<Double> cores = new ArrayList<>();
                for (int p = 0; p < start.size(); p++) {
                    cores.add(end.get(p).coresSince(start.get(p)));
                }
                results.add(sut.name(), s.id(), new Results.LatencyRun(load, cores, end, after.flatMap(a -> before.map(a::minus))));
            }
            if (!sut.jitLogs().isEmpty()) { // a JVM's native memory at the rate P4 is judged at (when it tracks it)
                results.jvmDiagnostics.addAll(JvmDiagnostics.capture(ws, sut, s.id(), false));
            }
        }
    }

    private void saturation(SystemUnderTest sut) {
        for (Scenario s : Scenario.SATURATION) {
            for (int i = 0; i < settings.repeats(); i++) {
                progress("  " + sut.name() + ": " + s.id() + " run " + (i + 1) + "/" + settings.repeats());
                List<ProcessTree.Sample> start = samples(sut);
                H2load.Target target = sut.target(s.protocol(), s.path());
                LoadResult load = s.protocol() == Protocol.H2
                        ? h2load.closedLoop(target, s.protocol(), 2, settings.h2Streams(), settings.saturation())
                        : h2load.closedLoop(target, s.protocol(), settings.saturationConnections(), 1, settings.saturation());
                List<ProcessTree.Sample> end = samples(sut);
                check(sut.name(), s.id(), load);
                List<Double> cores = new ArrayList<>();
                for (int p = 0; p < start.size(); p++) {
                    cores.add(end.get(p).coresSince(start.get(p)));
                }
                double wrk = s.protocol() == Protocol.H1
                        ? Wrk.requestsPerSecond(ws.loadCpus(), target, settings.saturationConnections(), settings.saturation())
                        : Double.NaN;
                results.add(sut.name(), s.id(), new Results.ThroughputRun(load, cores, wrk));
            }
        }
    }

    private void handshakes(SystemUnderTest sut) {
        PemFiles client = sut.mtlsClient().orElseThrow();
        int port = sut.mtlsPort().orElseThrow();
        TlsProbe.Result probe = TlsProbe.probe(ws.loadCpus(), port, client, sut.serverName(), sut.bHost());
        results.probes.put(sut.name(), probe);
        results.tlsPinning.put(sut.name(), sut.tlsPinning());
        progress("  " + sut.name() + ": B negotiated " + probe.protocol() + ", " + probe.group() + ", " + probe.cipher()
                + "; with the client certificate " + probe.withCertificate() + ", without " + probe.withoutCertificate());
        long bPid = sut.proxies().get(1).pid();
        for (int i = 0; i < settings.repeats(); i++) {
            progress("  " + sut.name() + ": mTLS handshakes run " + (i + 1) + "/" + settings.repeats());
            ProcessTree.Sample before = ProcessTree.sample(bPid);
            HandshakeLoad.Result r = handshakes.run(port, client, TlsPins.opensslConf(ws), settings.handshakes());
            ProcessTree.Sample after = ProcessTree.sample(bPid);
            results.add(sut.name(), new Results.HandshakeRun(r.handshakes(), r.seconds(), after.cpuSecondsSince(before)));
        }
    }

    /**
     * Rounds at the measured rate and connection count (and a short HTTP/2 round each, so that both code paths are
     * compiled) until {@link WarmUp#notWarmBecause} finds nothing, at least {@code minWarmUp}, at most
     * {@code maxWarmUp}. A quick run stops at its short limit and is "not warm" whatever the rounds say.
     */
    private void warmUp(SystemUnderTest sut) {
        long start = System.nanoTime();
        List<WarmUp.Round> rounds = new ArrayList<>();
        while (true) {
            long jitBefore = compilations(sut);
            LoadResult r = h2load.openLoop(sut.target(Protocol.H1, "/1k"), Protocol.H1, settings.connections(), settings.rps(),
                    settings.warmUpRound()).result();
            check(sut.name(), "warm-up", r);
            check(sut.name(), "warm-up h2", h2load.openLoop(sut.target(Protocol.H2, "/1k"), Protocol.H2, settings.connections(),
                    settings.rps(), Duration.ofSeconds(1)).result());
            long jit = sut.jitLogs().isEmpty() ? -1 : compilations(sut) - jitBefore;
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            rounds.add(new WarmUp.Round(elapsed.toMillis() / 1000.0, r.percentileMillis(50), r.percentileMillis(99), jit, r.paced()));
            Optional<String> notWarm = WarmUp.notWarmBecause(rounds);
            progress("  %s: warm-up round %d, p50 %.3f ms, p99 %.3f ms%s%s".formatted(sut.name(), rounds.size(), r.percentileMillis(50),
                    r.percentileMillis(99), jit < 0 ? "" : ", " + jit + " methods compiled", r.paced() ? "" : ", " + r.pacing().verdict()));
            boolean minimum = elapsed.compareTo(settings.minWarmUp()) >= 0;
            if (notWarm.isEmpty() && minimum && !settings.quickRun()) {
                results.warmUps.put(sut.name(), new WarmUp(List.copyOf(rounds), elapsed, true, "warm"));
                return;
            }
            if (elapsed.compareTo(settings.maxWarmUp()) >= 0 || (settings.quickRun() && minimum)) {
                String why = settings.quickRun() ? "quick run" : notWarm.orElse("minimum not reached");
                results.warmUps.put(sut.name(), new WarmUp(List.copyOf(rounds), elapsed, false, "not warm: " + why));
                progress("  " + sut.name() + ": not warm (" + why + ")");
                return;
            }
        }
    }

    /** Methods compiled so far by the system's JVMs: one line of {@code -Xlog:jit+compilation} each. */
    private static long compilations(SystemUnderTest sut) {
        long n = 0;
        for (Path log : sut.jitLogs()) {
            try (var lines = Files.lines(log)) {
                n += lines.count();
            } catch (IOException | java.io.UncheckedIOException e) {
                // not written yet
            }
        }
        return n;
    }

    /** Time to ready of fresh B proxies while nothing else runs (P14). */
    private void measureStartups(AimeshControlPlane cp, int upstreamPort, String name, String javaOptions) {
        for (int i = 0; i < settings.startups(); i++) {
            progress("  " + name + ": start-up " + (i + 1) + "/" + settings.startups());
            results.addStartup(name, AimeshPair.timeToReady(ws, cp, upstreamPort, javaOptions, i));
        }
    }

    private static List<ProcessTree.Sample> samples(SystemUnderTest sut) {
        return sut.proxies().stream().map(p -> ProcessTree.sample(p.pid())).toList();
    }

    /** A run where nothing succeeded measured nothing; failed requests otherwise are reported beside the figures. */
    private static void check(String system, String scenario, LoadResult load) {
        if (load.succeeded() == 0) {
            throw new IllegalStateException(system + " " + scenario + ": no request succeeded (" + load.failed() + " failed)");
        }
        if (load.failed() > 0) {
            progress("  " + system + " " + scenario + ": " + load.failed() + " of " + (load.failed() + load.succeeded())
                    + " requests failed");
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    /** The other systems are still worth measuring: the report says what went wrong with this one. */
    private void guarded(String system, Step step) {
        try {
            step.run();
        } catch (Exception e) {
            progress("  " + system + " could not be measured: " + e.getMessage());
            results.systemNotes.put(system, "could not be measured to the end: " + e.getMessage() + " (logs: " + ws.dir() + ")");
        }
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static final long STARTED = System.nanoTime();

    static void progress(String message) {
        System.out.printf("bench [%4d s]: %s%n", (System.nanoTime() - STARTED) / 1_000_000_000L, message);
        System.out.flush();
    }

    /** The command line of {@code bench/run}, after the script has installed and built what it needs. */
    record Options(BenchSettings settings, Path out, Path root, List<String> systems, Set<String> scenarios,
            Map<String, String> aimeshJvms, boolean force, List<String> given) {
        static final String USAGE = """
                usage: bench/run [--quick] [--systems LIST] [--scenarios LIST] [--cold-start SECONDS] [--jvm NAME=OPTIONS]...
                                 [--out DIR] [--force]
                  --quick       a short run that checks every scenario runs end to end; its report judges no target
                                ("not warm")
                  --systems     which systems to measure, in order (default: direct,aimesh,aimesh-authz,nginx,haproxy);
                                with direct and another, the direct path is measured again at the end
                  --scenarios   which scenarios to run (default: cold-start,latency,saturation,handshakes,streaming,startup)
                  --cold-start  how long the cold-start scenario offers load, in seconds (default 120; --quick: 20)
                  --jvm         measure the aimesh pair once more per JVM option set, e.g. --jvm g1=-XX:+UseG1GC
                                (the default set is always measured first, as "aimesh")
                  --out         where the report and charts go (default: bench/results)
                  --force       measure even while another busy process is using the CPU (the report says INVALID)
                """;

        static Options parse(String[] args) {
            BenchSettings settings = BenchSettings.full();
            Duration coldStart = null;
            Path out = Path.of("bench", "results");
            Path root = Path.of("").toAbsolutePath();
            List<String> systems = SYSTEMS;
            Set<String> scenarios = new LinkedHashSet<>(SCENARIOS);
            Map<String, String> jvms = new LinkedHashMap<>();
            jvms.put("", "");
            boolean force = false;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--quick" -> settings = BenchSettings.quick();
                    case "--out" -> out = Path.of(value(args, ++i, "--out"));
                    case "--root" -> root = Path.of(value(args, ++i, "--root")).toAbsolutePath();
                    case "--systems" -> systems = List.of(value(args, ++i, "--systems").split(","));
                    case "--scenarios" -> scenarios = new LinkedHashSet<>(List.of(value(args, ++i, "--scenarios").split(",")));
                    case "--cold-start" -> {
                        String v = value(args, ++i, "--cold-start");
                        try {
                            coldStart = Duration.ofSeconds(Long.parseLong(v));
                        } catch (NumberFormatException e) {
                            throw new IllegalArgumentException("--cold-start " + v + ": expected whole seconds");
                        }
                        if (coldStart.toSeconds() < 5 || coldStart.toSeconds() > 3600) {
                            throw new IllegalArgumentException("--cold-start " + v + ": must be 5 to 3600 seconds");
                        }
                    }
                    case "--jvm" -> {
                        String v = value(args, ++i, "--jvm");
                        int eq = v.indexOf('=');
                        if (eq <= 0) {
                            throw new IllegalArgumentException("--jvm " + v + ": expected NAME=OPTIONS");
                        }
                        jvms.put(v.substring(0, eq), v.substring(eq + 1));
                    }
                    case "--force" -> force = true;
                    case "-h", "--help" -> {
                        System.out.print(USAGE);
                        return null;
                    }
                    default -> throw new IllegalArgumentException("unknown option " + args[i] + "\n" + USAGE);
                }
            }
            for (String s : systems) {
                if (!SYSTEMS.contains(s)) {
                    throw new IllegalArgumentException("--systems: unknown system '" + s + "' (expected: " + String.join(", ", SYSTEMS) + ")");
                }
            }
            for (String s : scenarios) {
                if (!SCENARIOS.contains(s)) {
                    throw new IllegalArgumentException("--scenarios: unknown scenario '" + s + "' (expected: " + String.join(", ", SCENARIOS) + ")");
                }
            }
            if (coldStart != null) {
                settings = settings.withColdStart(coldStart);
            }
            List<String> given = new ArrayList<>(List.of(args));
            int r = given.indexOf("--root");
            if (r >= 0) {
                given.subList(r, Math.min(given.size(), r + 2)).clear();
            }
            return new Options(settings, out, root, systems, scenarios, jvms, force, List.copyOf(given));
        }

        /** The options as the user gave them to bench/run (without the --root the script adds). */
        String shown() {
            return String.join(" ", given);
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value\n" + USAGE);
            }
            return args[i];
        }
    }
}
