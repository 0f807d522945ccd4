package dev.aimesh.bench.sidebyside;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The side-by-side proxy benchmark of BENCHMARKS.md: direct, the aimesh pair, the nginx pair and the
 * haproxy pair, back to back in one run on the same upstream, load generator and upstream on one CPU and
 * the two proxies of a pair on the other; then a markdown report and a latency chart.
 */
public final class SideBySide {
    private final BenchSettings settings;
    private final Workspace ws;
    private final List<String> systems;
    private static final Duration WARM_UP_ROUND = Duration.ofSeconds(4);
    private static final double STEADY = 0.10;

    private final Map<String, String> aimeshJvms;
    private final Results results = new Results();
    private final H2load h2load;

    SideBySide(BenchSettings settings, Workspace ws, List<String> systems, Map<String, String> aimeshJvms) {
        this.settings = settings;
        this.ws = ws;
        this.systems = systems;
        this.aimeshJvms = aimeshJvms;
        this.h2load = new H2load(ws.loadCpus(), ws.dir());
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        if (options == null) {
            return;
        }
        List<String> problems = Preflight.problems(options.force());
        if (!problems.isEmpty()) {
            problems.forEach(p -> System.err.println("bench: " + p));
            System.exit(3);
        }
        Path dir = Files.createTempDirectory("aimesh-bench-");
        Workspace ws = new Workspace(dir, options.root(), "0", "1");
        SideBySide bench = new SideBySide(options.settings(), ws, options.systems(), options.aimeshJvms());
        long started = System.nanoTime();
        bench.run();
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        Files.createDirectories(options.out());
        String stem = LocalDate.now() + "-" + Preflight.hostName() + (options.settings().name().equals("full") ? "" : "-" + options.settings().name());
        Path chart = options.out().resolve(stem + ".png");
        LatencyChart.write(bench.results, chart);
        Path report = options.out().resolve(stem + ".md");
        Files.writeString(report, new Report(bench.results, options.settings(), Preflight.machine(), took, chart.getFileName().toString())
                .markdown());
        System.out.println("bench: report " + report + ", chart " + chart + " (" + took.toSeconds() + " s; work files in " + dir + ")");
    }

    void run() throws Exception {
        int upstreamPort = Workspace.freePort();
        int upstreamH2c = Workspace.freePort();
        progress("starting the upstream (nginx) and an aimesh control plane");
        try (Launched upstream = Nginx.upstream(ws, upstreamPort, upstreamH2c);
                AimeshControlPlane cp = new AimeshControlPlane(ws, upstreamPort)) {
            PemFiles peerClient = cp.fetch("peer-client");
            PemFiles peerServer = cp.fetch("peer-server");
            HandshakeLoad handshakes = new HandshakeLoad(ws.loadCpus(), peerClient);
            for (String system : systems) {
                if (system.equals("aimesh")) {
                    for (var jvm : aimeshJvms.entrySet()) {
                        String name = jvm.getKey().isEmpty() ? "aimesh" : "aimesh " + jvm.getKey();
                        progress("measuring " + name);
                        try (AimeshPair pair = new AimeshPair(ws, cp, upstreamPort, name, jvm.getValue())) {
                            results.addStartup(name, pair.startup());
                            measure(pair, handshakes);
                            measureStartups(cp, upstreamPort, name, jvm.getValue());
                        } catch (RuntimeException e) {
                            failed(name, e);
                        }
                    }
                    continue;
                }
                progress("measuring " + system);
                try (SystemUnderTest sut = switch (system) {
                    case "direct" -> new DirectPath(upstreamPort, upstreamH2c);
                    case "nginx" -> new NginxPair(ws, upstreamPort, peerClient, peerServer);
                    case "haproxy" -> new HaproxyPair(ws, upstreamPort, peerClient, peerServer);
                    default -> throw new IllegalArgumentException("unknown system " + system);
                }) {
                    measure(sut, handshakes);
                } catch (RuntimeException e) {
                    failed(system, e);
                }
            }
        }
    }

    private void measure(SystemUnderTest sut, HandshakeLoad handshakes) {
        String name = sut.name();
        warmUp(sut);
        for (Scenario s : Scenario.LATENCY) {
            for (int i = 0; i < settings.repeats(); i++) {
                progress("  " + name + ": " + s.id() + " run " + (i + 1) + "/" + settings.repeats());
                Optional<SystemUnderTest.ReuseCounts> before = sut.reuse();
                List<ProcessTree.Sample> start = samples(sut);
                LoadResult load = h2load.openLoop(sut.target(s.protocol(), s.path()), s.protocol(), settings.connections(),
                        settings.rpsPerConnection(), settings.measure());
                List<ProcessTree.Sample> end = samples(sut);
                Optional<SystemUnderTest.ReuseCounts> after = sut.reuse();
                check(name, s.id(), load);
                List<Double> cores = new ArrayList<>();
                List<Long> rss = new ArrayList<>();
                for (int p = 0; p < start.size(); p++) {
                    cores.add(end.get(p).coresSince(start.get(p)));
                    rss.add(end.get(p).rssKiB());
                }
                results.add(name, s.id(), new Results.LatencyRun(load, cores, rss,
                        after.flatMap(a -> before.map(a::minus))));
            }
        }
        for (Scenario s : Scenario.SATURATION) {
            for (int i = 0; i < settings.repeats(); i++) {
                progress("  " + name + ": " + s.id() + " run " + (i + 1) + "/" + settings.repeats());
                List<ProcessTree.Sample> start = samples(sut);
                LoadResult load = s.protocol() == Protocol.H2
                        ? h2load.closedLoop(sut.target(s.protocol(), s.path()), s.protocol(), 2, settings.h2Streams(), settings.saturation())
                        : h2load.closedLoop(sut.target(s.protocol(), s.path()), s.protocol(), settings.saturationConnections(), 1,
                                settings.saturation());
                List<ProcessTree.Sample> end = samples(sut);
                check(name, s.id(), load);
                List<Double> cores = new ArrayList<>();
                for (int p = 0; p < start.size(); p++) {
                    cores.add(end.get(p).coresSince(start.get(p)));
                }
                results.add(name, s.id(), new Results.ThroughputRun(load, cores));
            }
        }
        if (sut.mtlsPort().isPresent()) {
            long bPid = sut.proxies().get(1).pid();
            for (int i = 0; i < settings.repeats(); i++) {
                progress("  " + name + ": mTLS handshakes run " + (i + 1) + "/" + settings.repeats());
                ProcessTree.Sample before = ProcessTree.sample(bPid);
                HandshakeLoad.Result r = handshakes.run(sut.mtlsPort().get(), settings.handshakes());
                ProcessTree.Sample after = ProcessTree.sample(bPid);
                results.add(name, new Results.HandshakeRun(r.handshakes(), r.seconds(), after.cpuSecondsSince(before)));
            }
        }
    }

    /**
     * Closed-loop rounds until the rate is steady (within {@link #STEADY} of the round before) and the
     * minimum warm-up has passed, or the maximum; HTTP/2 too, so both code paths are compiled.
     */
    private void warmUp(SystemUnderTest sut) {
        long start = System.nanoTime();
        double previous = 0;
        int round = 0;
        while (true) {
            round++;
            LoadResult r = h2load.closedLoop(sut.target(Protocol.H1, "/1k"), Protocol.H1, 16, 1, WARM_UP_ROUND);
            check(sut.name(), "warm-up", r);
            check(sut.name(), "warm-up h2", h2load.closedLoop(sut.target(Protocol.H2, "/1k"), Protocol.H2, 2, 10, Duration.ofSeconds(1)));
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            boolean steady = previous > 0 && Math.abs(r.requestsPerSecond() - previous) <= STEADY * previous;
            progress("  " + sut.name() + ": warm-up round " + round + ", " + Math.round(r.requestsPerSecond()) + " req/s");
            if ((steady && elapsed.compareTo(settings.warmUp()) >= 0) || elapsed.compareTo(settings.maxWarmUp()) >= 0) {
                results.warmUps.put(sut.name(), new Results.WarmUp(elapsed, steady));
                return;
            }
            previous = r.requestsPerSecond();
        }
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

    /** The other systems are still worth measuring: the report says what went wrong with this one. */
    private void failed(String system, RuntimeException e) {
        progress("  " + system + " could not be measured: " + e.getMessage());
        results.systemNotes.put(system, "could not be measured to the end: " + e.getMessage() + " (logs: " + ws.dir() + ")");
    }

    private static final long STARTED = System.nanoTime();

    static void progress(String message) {
        System.out.printf("bench [%4d s]: %s%n", (System.nanoTime() - STARTED) / 1_000_000_000L, message);
        System.out.flush();
    }

    /** The command line of {@code bench/run}, after the script has installed and built what it needs. */
    record Options(BenchSettings settings, Path out, Path root, List<String> systems, Map<String, String> aimeshJvms,
            boolean force) {
        static final String USAGE = """
                usage: bench/run [--quick] [--systems direct,aimesh,nginx,haproxy] [--jvm NAME=OPTIONS]... [--out DIR] [--force]
                  --quick     a short run (under 10 minutes on 2 cores); the default is the full protocol
                  --systems   which systems to measure, in order (default: all four)
                  --jvm       measure the aimesh pair once per JVM option set, e.g. --jvm g1=-XX:+UseG1GC
                              (the default set is always measured first, as "aimesh")
                  --out       where the report and chart go (default: bench/results)
                  --force     measure even while another busy process is using the CPU
                """;

        static Options parse(String[] args) {
            BenchSettings settings = BenchSettings.full();
            Path out = Path.of("bench", "results");
            Path root = Path.of("").toAbsolutePath();
            List<String> systems = List.of("direct", "aimesh", "nginx", "haproxy");
            Map<String, String> jvms = new LinkedHashMap<>();
            jvms.put("", "");
            boolean force = false;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--quick" -> settings = BenchSettings.quick();
                    case "--out" -> out = Path.of(value(args, ++i, "--out"));
                    case "--root" -> root = Path.of(value(args, ++i, "--root")).toAbsolutePath();
                    case "--systems" -> systems = List.of(value(args, ++i, "--systems").split(","));
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
                if (!List.of("direct", "aimesh", "nginx", "haproxy").contains(s)) {
                    throw new IllegalArgumentException("--systems: unknown system '" + s + "' (expected: direct, aimesh, nginx, haproxy)");
                }
            }
            return new Options(settings, out, root, systems, jvms, force);
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value\n" + USAGE);
            }
            return args[i];
        }
    }
}
