package dev.aimesh.bench.push;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import dev.aimesh.controlplane.config.ConfigDirectory;
import dev.aimesh.controlplane.config.ConfigWatcher;
import dev.aimesh.core.registry.ConfigSnapshot;
import dev.aimesh.core.registry.SnapshotDelta;
import dev.aimesh.core.resource.ConfigLoader;
import dev.aimesh.proxy.agent.WorkloadIdentity;
import dev.aimesh.proxy.filter.authn.JwksSources;
import dev.aimesh.proxy.agent.PolicyCompiler;

/**
 * Target P10: a policy change in the config directory until every proxy has it. N simulated proxies, each
 * with its own SVID (joined with a token, as a proxy does) and its own mTLS config stream to a control plane
 * in a process of its own ({@link PushControlPlane}) on loopback, acknowledge each snapshot as it arrives; the arrival at each is timed against
 * the write of the file (which includes the watcher's wait for the directory to be quiet after the file
 * event) and against the moment the control plane published it. Applying the delta and compiling the
 * policies is each proxy's own CPU (on one machine, N proxies doing it would measure this machine, not the
 * push), so it is timed once, apart, and added.
 *
 * <p>Usage: {@code PushBenchmark PROXIES [ROUNDS] [OUTPUT.md]}
 */
public final class PushBenchmark {
    /** Only the safety net: file events are what a change is seen by. */
    private static final Duration POLL = Duration.ofSeconds(1);
    /** Changes pushed before measuring, so that the control plane's push path is compiled as it will be in use. */
    private static final int WARM_UP_ROUNDS = 3;

    public static void main(String[] args) throws Exception {
        int proxies = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path out = args.length > 2 ? Path.of(args[2]) : null;
        Path work = Files.createTempDirectory("aimesh-push-");
        Path config = Files.createDirectories(work.resolve("config"));
        StringBuilder workloads = new StringBuilder();
        for (int i = 0; i < proxies; i++) {
            workloads.append("apiVersion: aimesh.dev/v1alpha1\nkind: Workload\nmetadata: {name: w-").append(i)
                    .append(", namespace: sim}\n---\n");
        }
        Files.writeString(config.resolve("workloads.yaml"), workloads);
        Files.writeString(config.resolve("policy.yaml"), policy(0));
        try (ControlPlaneProcess cp = ControlPlaneProcess.start(config, work.resolve("data"), POLL)) {
            run(cp, config, proxies, rounds, out);
        }
        System.exit(0);
    }

    private static void run(ControlPlaneProcess cp, Path config, int proxies, int rounds, Path out) throws Exception {
        AtomicReferenceArray<String> versions = new AtomicReferenceArray<>(proxies);
        AtomicLongArray arrivals = new AtomicLongArray(proxies);
        List<WorkloadIdentity> identities = new ArrayList<>();
        List<SimulatedProxy> clients = new ArrayList<>();
        long joinStart = System.nanoTime();
        ExecutorService joiners = Executors.newFixedThreadPool(8);
        List<Future<WorkloadIdentity>> joined = new ArrayList<>();
        for (int i = 0; i < proxies; i++) {
            String workload = "sim/w-" + i;
            joined.add(joiners.submit(() -> WorkloadIdentity.bootstrap(cp.grpc(), cp.token(workload), InstantSource.system())));
        }
        for (int i = 0; i < proxies; i++) {
            WorkloadIdentity identity = joined.get(i).get();
            identities.add(identity);
            int index = i;
            clients.add(new SimulatedProxy(identity, "sim-" + i, version -> {
                versions.set(index, version);
                arrivals.set(index, ControlPlaneProcess.microsNow());
            }));
            if ((i + 1) % 1000 == 0) {
                System.out.printf("%d proxies joined (%.0f s)%n", i + 1, (System.nanoTime() - joinStart) / 1e9);
            }
        }
        joiners.shutdown();
        String initial = awaitAll(versions, cp.published().version(), Duration.ofMinutes(5));
        System.out.printf("%d proxies joined and on config %s in %.1f s%n", proxies, initial,
                (System.nanoTime() - joinStart) / 1e9);

        List<Double> fromWrite = new ArrayList<>();
        List<Double> fromPublish = new ArrayList<>();
        for (int round = 1 - WARM_UP_ROUNDS; round <= rounds; round++) {
            String before = cp.published().version();
            long written = ControlPlaneProcess.microsNow();
            Files.writeString(config.resolve("policy.yaml"), policy(round + WARM_UP_ROUNDS));
            ControlPlaneProcess.Published published = cp.awaitPublishedAfter(before, Duration.ofMinutes(1));
            awaitAll(versions, published.version(), Duration.ofMinutes(2));
            if (round < 1) {
                continue; // warming up the control plane's push path
            }
            for (int i = 0; i < proxies; i++) {
                fromWrite.add((arrivals.get(i) - written) / 1e3);
                fromPublish.add((arrivals.get(i) - published.micros()) / 1e3);
            }
            System.out.printf("round %d: config %s at every proxy; max %.1f ms after the write, %.1f ms after publishing%n",
                    round, published.version(), max(fromWrite.subList(fromWrite.size() - proxies, fromWrite.size())),
                    max(fromPublish.subList(fromPublish.size() - proxies, fromPublish.size())));
        }
        ProxyWork proxyWork = proxyWork(new ConfigDirectory(config).read(), cp.bundle());
        String report = report(proxies, rounds, fromWrite, fromPublish, proxyWork);
        System.out.print(report);
        if (out != null) {
            Files.writeString(out, report);
        }
        clients.forEach(SimulatedProxy::close);
        identities.forEach(WorkloadIdentity::close);
    }

    private static String policy(int round) {
        return """
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: callers, namespace: sim}
                spec:
                  rules:
                  - from: [{source: {principals: ["cluster.local/ns/sim/sa/w-%d"]}}]
                    to: [{operation: {methods: ["POST"], paths: ["/v1/chat/completions"]}}]
                """.formatted(round);
    }

    private static String awaitAll(AtomicReferenceArray<String> versions, String version, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            boolean all = true;
            for (int i = 0; i < versions.length() && all; i++) {
                String v = versions.get(i);
                all = v != null && v.startsWith(version + "."); // a proxy's version is the snapshot's, then the bundle's
            }
            if (all) {
                return version;
            }
            Thread.sleep(1);
        }
        throw new IllegalStateException("not every proxy got config " + version + " within " + timeout.toSeconds() + " s");
    }

    /** A proxy's own CPU for a snapshot: the first, whole one; and a policy change, as a delta on the one it has. */
    private record ProxyWork(double wholeMs, double changeMs, int wholeBytes, int changeBytes) {}

    private static ProxyWork proxyWork(ConfigDirectory.Reading config, dev.aimesh.api.v1.TrustBundle bundle) {
        // What the proxy of sim/w-0 is sent, before and after a change to its policy (decoded here, not measured).
        List<ConfigSnapshot> versions = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            List<ConfigLoader.SourceFile> sources = new ArrayList<>(config.sources().stream()
                    .filter(f -> !f.name().equals("policy.yaml")).toList());
            sources.add(new ConfigLoader.SourceFile("policy.yaml", policy(100 + i)));
            dev.aimesh.core.resource.MeshConfig mesh = ConfigLoader.assemble(sources).config();
            versions.add(dev.aimesh.core.registry.ProxyConfigSelection.forWorkload(
                    ConfigSnapshot.of("v" + i, mesh, java.util.Map.of()), mesh, "sim", "w-0"));
        }
        int wholeBytes = dev.aimesh.api.ApiMessages.toProto(versions.get(0), "n", bundle).getSerializedSize();
        int changeBytes = dev.aimesh.api.ApiMessages.toProto(SnapshotDelta.between(versions.get(0), versions.get(1)), "n",
                bundle).getSerializedSize();
        try (JwksSources jwks = new JwksSources()) {
            int n = 50;
            for (int warm = 0; warm < 20; warm++) {
                new PolicyCompiler("sim", "w-0", jwks, InstantSource.system()).compile(versions.get(0));
            }
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                new PolicyCompiler("sim", "w-0", jwks, InstantSource.system()).compile(versions.get(0));
            }
            double wholeMs = (System.nanoTime() - start) / 1e6 / n;
            PolicyCompiler compiler = new PolicyCompiler("sim", "w-0", jwks, InstantSource.system());
            compiler.compile(versions.get(0));
            long changes = 0;
            for (int i = 1; i <= 20 + n; i++) {
                ConfigSnapshot from = versions.get((i + 1) % 2);
                ConfigSnapshot to = versions.get(i % 2);
                long t0 = System.nanoTime();
                ConfigSnapshot applied = SnapshotDelta.between(from, to).applyTo(Optional.of(from));
                if (!(compiler.compile(applied) instanceof PolicyCompiler.Result.Compiled)) {
                    throw new IllegalStateException("the benchmark's policy does not compile");
                }
                if (i > 20) {
                    changes += System.nanoTime() - t0;
                }
            }
            return new ProxyWork(wholeMs, changes / 1e6 / n, wholeBytes, changeBytes);
        }
    }

    private static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }

    private static double percentile(List<Double> values, double p) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100 * sorted.length) - 1)];
    }

    private static String report(int proxies, int rounds, List<Double> fromWrite, List<Double> fromPublish, ProxyWork work) {
        return """
                ## P10: policy change to every proxy, %d simulated proxies, %d changes

                | measured from | p50 ms | p99 ms | max ms |
                |---|---|---|---|
                | the write of the file (file event, then %d ms of quiet before the directory is read) | %.1f | %.1f | %.1f |
                | the control plane publishing the new snapshot | %.1f | %.1f | %.1f |
                | the write, with one proxy's delta and compile added (enforced) | %.1f | %.1f | %.1f |

                Each simulated proxy: its own SVID and mTLS gRPC config stream to the control plane on loopback, an ACK
                per snapshot as it arrives; all of them and the control plane share the machine's 2 cores, after %d
                unmeasured changes that warmed the control plane up. What a proxy
                is sent: the whole snapshot on joining (%,d bytes: %d workloads and the policy), then a delta per change
                (%,d bytes: the changed policy, typed, and the trust bundle). Its own CPU: %.2f ms to compile the typed
                resources of the whole snapshot, %.2f ms to apply a policy change (delta, compile).
                """.formatted(proxies, rounds, ConfigWatcher.EVENT_QUIET.toMillis(),
                percentile(fromWrite, 50), percentile(fromWrite, 99), max(fromWrite),
                percentile(fromPublish, 50), percentile(fromPublish, 99), max(fromPublish),
                percentile(fromWrite, 50) + work.changeMs(), percentile(fromWrite, 99) + work.changeMs(),
                max(fromWrite) + work.changeMs(), WARM_UP_ROUNDS, work.wholeBytes(), proxies, work.changeBytes(), work.wholeMs(),
                work.changeMs());
    }

    private PushBenchmark() {}
}
